// Applies one config to the running HAProxy: noop, runtime (through the runtime API) or reload
// (haproxy -c, state saved, atomic write, `reload` on the master socket, then verified with
// `show proc` and the new worker's `show info`). A config HAProxy refuses leaves the previous
// one serving, and the previous file is put back so a later reload or restart uses it.
import { readFileSync, renameSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { UpdateOutcome } from '../../contract/supervisor-protocol.js';
import { addedBinds, busyBinds } from './bind-check.js';
import { classifyUpdate } from './classify-update.js';
import { globalSetting, stampConfig, stampedHash, writeFileAtomic } from './config-files.js';
import { checkHAProxyConfig } from './haproxy-check.js';
import type { HAProxyProcess } from './haproxy-process.js';
import { runOnWorker, sendCommand } from './runtime-api.js';
import type { ProcTable } from './show-proc.js';

export type RejectStage = 'check' | 'bind' | 'reload' | 'verify';

export interface ApplyResult {
  outcome: UpdateOutcome;
  reason: string;
  /** For rejected configs: HAProxy's messages. */
  error?: string;
  stage?: RejectStage;
  /** Seconds the reload took, from haproxy -c to the verified new worker. */
  reloadSeconds?: number;
  /** The master's reload counter after a verified reload. */
  generation?: number;
}

/** The running HAProxy could not be driven (master not answering...): retry later, the config is not at fault. */
export class TransientApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientApplyError';
  }
}

export interface ApplierOptions {
  haproxy: string;
  process: HAProxyProcess;
  masterSocket: string;
  /** The file the master reads on every reload. */
  configFile: string;
  /** Where a candidate is written for haproxy -c. */
  candidateFile: string;
  /** HAProxy's environment (stats credentials), also for haproxy -c. */
  env: NodeJS.ProcessEnv;
  verifyTimeoutMs?: number;
  /** Refuse a config whose new listening ports are taken, before reloading (default true). */
  checkBinds?: boolean;
}

export class ConfigApplier {
  /** The config HAProxy serves (runtime changes included) and its hash. */
  liveText: string;
  liveHash: string;
  /** The config the current worker loaded. */
  loadedHash: string;

  constructor(private readonly options: ApplierOptions, initial: { text: string; hash: string }) {
    this.liveText = initial.text;
    this.liveHash = initial.hash;
    this.loadedHash = initial.hash;
  }

  /** What applying `text` would take. */
  plan(text: string) {
    return classifyUpdate(this.liveText, text);
  }

  async apply(text: string, hash: string): Promise<ApplyResult> {
    const plan = this.plan(text);
    if (plan.kind === 'noop') {
      this.liveHash = hash;
      return { outcome: 'noop', reason: 'same config' };
    }
    if (plan.kind === 'runtime') {
      const failure = await this.applyAtRuntime(plan.commands);
      if (failure === undefined) {
        writeFileAtomic(this.options.configFile, stampConfig(text, hash));
        this.liveText = text;
        this.liveHash = hash;
        return { outcome: 'runtime', reason: plan.reason };
      }
      return this.reload(text, hash, `the runtime API refused the change (${failure}); reloading instead`);
    }
    return this.reload(text, hash, plan.reason);
  }

  private async applyAtRuntime(commands: readonly string[]): Promise<string | undefined> {
    if (commands.length === 0) return undefined;
    const table = await this.procTable();
    const worker = table.workers[0];
    if (!worker) throw new TransientApplyError('HAProxy has no worker');
    const errors = await runOnWorker(this.options.masterSocket, worker.pid, commands);
    return errors.length === 0 ? undefined : errors.slice(0, 3).join('; ');
  }

  private async reload(text: string, hash: string, reason: string): Promise<ApplyResult> {
    const o = this.options;
    const started = performance.now();
    const stamped = stampConfig(text, hash);
    writeFileAtomic(o.candidateFile, stamped);
    const check = await checkHAProxyConfig(o.candidateFile, { haproxy: o.haproxy, env: o.env });
    if (!check.ok) return rejected('check', reason, check.messages.filter((m) => !m.startsWith('WARNING')).join('\n') || 'haproxy -c failed');
    if (o.checkBinds !== false) {
      const busy = await busyBinds(addedBinds(this.liveText, text));
      if (busy.length > 0) return rejected('bind', reason, `cannot bind ${busy.join(', ')}: address already in use`);
    }

    const before = await this.procTable();
    const current = before.workers[0];
    if (!current) throw new TransientApplyError('HAProxy has no worker');
    await this.saveServerState(current.pid, text);
    const previous = readFileSync(o.configFile, 'utf8');
    renameSync(o.candidateFile, o.configFile);
    const mark = o.process.mark();
    try {
      await sendCommand(o.masterSocket, 'reload', 5000);
    } catch (error) {
      writeFileAtomic(o.configFile, previous);
      throw new TransientApplyError(`cannot send reload: ${(error as Error).message}`);
    }
    const after = await this.waitForReload(before.master.reloads);
    const restore = (stage: RejectStage, error: string): ApplyResult => {
      writeFileAtomic(o.configFile, previous);
      return rejected(stage, reason, error);
    };
    if (!after) return restore('verify', `the master did not finish the reload within ${o.verifyTimeoutMs ?? 30_000} ms`);
    if (after.master.failed > 0) return restore('reload', o.process.alertsSince(mark).join('\n') || 'HAProxy reported a failed reload');
    const fresh = after.workers.find((w) => w.reloads === 0 && !before.workers.some((b) => b.pid === w.pid));
    if (!fresh) return restore('verify', `no new worker after the reload (workers: ${after.workers.map((w) => w.pid).join(', ') || 'none'})`);
    const runs = await this.workerConfigHash(fresh.pid);
    if (runs !== hash) return restore('verify', `the new worker ${fresh.pid} runs config ${runs ?? 'unknown'}, not ${hash}`);
    this.liveText = text;
    this.liveHash = hash;
    this.loadedHash = hash;
    return { outcome: 'reload', reason, reloadSeconds: (performance.now() - started) / 1000, generation: after.master.reloads };
  }

  /** The new worker loads the servers' state (MAINT, weights, addresses) from this file. */
  private async saveServerState(pid: number, nextText: string): Promise<void> {
    const file = globalSetting(nextText, 'server-state-file');
    if (file === undefined) return;
    const state = await sendCommand(this.options.masterSocket, `@!${pid} show servers state`, 10_000);
    if (/^1\n/.test(state)) writeFileAtomic(file, state);
  }

  /** The hash stamped into the config a worker loaded; a fresh worker may take a moment to answer. */
  private async workerConfigHash(pid: number): Promise<string | undefined> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const hash = stampedHash(await sendCommand(this.options.masterSocket, `@!${pid} show info`, 5000));
        if (hash !== undefined) return hash;
      } catch {
        // not answering yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  private async procTable(): Promise<ProcTable> {
    try {
      return await this.options.process.showProc();
    } catch (error) {
      throw new TransientApplyError(`the master socket does not answer: ${(error as Error).message}`);
    }
  }

  /** On 2.6 `reload` answers before the reload is done: wait until the master's counter moves. */
  private async waitForReload(reloadsBefore: number): Promise<ProcTable | undefined> {
    const deadline = Date.now() + (this.options.verifyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const table = await this.options.process.showProc();
        if (table.master.reloads > reloadsBefore) return table;
      } catch {
        // the master is re-executing itself; its socket comes back
      }
    }
    return undefined;
  }
}

function rejected(stage: RejectStage, reason: string, error: string): ApplyResult {
  return { outcome: 'rejected', reason, stage, error };
}
