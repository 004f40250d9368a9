// The supervisor: owns the HAProxy master, takes configs as they come (from the operator's long
// poll), applies the newest one at a time (coalescing), spaces reloads out and bounds the old
// workers, never retries a config HAProxy refused, restarts a master that died, and reports.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashConfigText } from '../render/config-hash.js';
import type { StatusReport, UpdateOutcome } from '../../contract/supervisor-protocol.js';
import { ConfigApplier, TransientApplyError, type ApplyResult } from './apply-config.js';
import { builtInBootstrapConfig } from './bootstrap-config.js';
import { stampConfig, writeFileAtomic } from './config-files.js';
import { sleep } from './config-client.js';
import { HAProxyProcess } from './haproxy-process.js';
import type { SupervisorMetrics } from './metrics.js';
import { PanicRunner } from './panic-runner.js';
import { withReplicaLoads } from './replica-load.js';
import { buildStatusReport, type UpdateSummary } from './status-reporter.js';

export interface SupervisorOptions {
  name: string;
  haproxy: string;
  /** Folder of the master socket, the live and candidate config. */
  runDir: string;
  /** The config HAProxy starts with, before the operator answers. */
  bootstrap: string;
  /** HAProxy's environment (the stats credentials). */
  env: NodeJS.ProcessEnv;
  metrics: SupervisorMetrics;
  minReloadIntervalMs: number;
  maxOldWorkers: number;
  /** Longest wait for old workers to leave before reloading anyway (hard-stop-after bounds them too). */
  oldWorkersWaitMs: number;
  verifyTimeoutMs?: number;
  /** See ApplierOptions.checkBinds. */
  checkBinds?: boolean;
  /** A line for the log, at a level (default info). */
  log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** HAProxy's own output (access log and master messages). */
  onHAProxyLine?: (line: string) => void;
  /** Called with every report, after every update and by the periodic timer (see start). */
  onReport?: (report: StatusReport) => Promise<void>;
  /** Called after each update outcome (tests wait on it). */
  onUpdate?: (result: ApplyResult & { hash: string }) => void;
  /** Least time the panic guard holds servers before letting go of all of them (default 5 s). */
  panicMinHoldMs?: number;
}

const REJECTED_MEMORY = 32;

export class Supervisor {
  readonly masterSocket: string;
  readonly configFile: string;
  private readonly process: HAProxyProcess;
  private applier: ConfigApplier | undefined;
  private desired: { text: string; hash: string } | undefined;
  /** The last offer dealt with (applied, found unchanged or skipped as rejected). */
  private handled: { text: string; hash: string } | undefined;
  private readonly rejected = new Map<string, string>();
  private summary: UpdateSummary = {};
  private draining = false;
  private stopping = false;
  private lastReloadAt = 0;
  private restartBackoffMs = 1000;
  private reportTimer: NodeJS.Timeout | undefined;
  private reporting: Promise<void> | undefined;
  private reportAgain = false;
  private reportOnlyIfChanged = true;
  private lastSentFingerprint = '';
  private lastSentAt = 0;
  private heartbeatMs = Infinity;
  private readonly panic: PanicRunner;
  private panicTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.masterSocket = join(options.runDir, 'master.sock');
    this.configFile = join(options.runDir, 'haproxy.cfg');
    this.process = new HAProxyProcess({
      haproxy: options.haproxy,
      configFile: this.configFile,
      masterSocket: this.masterSocket,
      env: options.env,
      onLine: options.onHAProxyLine,
      onExit: (code, signal) => this.onMasterExit(code, signal),
    });
    this.panic = new PanicRunner({
      masterSocket: this.masterSocket,
      service: options.name,
      liveConfig: () => this.applier?.liveText,
      workerPid: async () => (this.process.running ? (await this.process.showProc()).workers[0]?.pid : undefined),
      minHoldMs: options.panicMinHoldMs,
      log: options.log,
      onChange: (status, event) => {
        const m = this.options.metrics;
        m.panicActive.set(status.active ? 1 : 0);
        m.panicHeld.set(status.held.length);
        if (event === 'engaged') m.panicEngagements.inc();
        if (event !== 'changed') this.options.log(`bso-haproxy: panic guard ${event}${status.active ? `: holding ${status.held.map((h) => h.name).join(', ')}` : ''}`, 'warn');
        this.report();
      },
    });
  }

  /** The panic guard's state, as reported. */
  get panicGuard() { return this.panic.status; }

  get haproxy(): HAProxyProcess { return this.process; }
  get liveHash(): string | undefined { return this.applier?.liveHash; }

  /** Starts HAProxy on the bootstrap config; it serves before the operator is reachable. */
  /**
   * @param statusIntervalMs  heartbeat: a report at least this often, even when nothing changed
   * @param statusPollMs      how often HAProxy is asked; a report goes out as soon as a server's
   *                          state, weight or address (or the config outcome) changed
   */
  async start(statusIntervalMs?: number, statusPollMs = 1000): Promise<void> {
    mkdirSync(this.options.runDir, { recursive: true, mode: 0o700 });
    let text = this.options.bootstrap;
    try {
      await this.startOn(text);
    } catch (error) {
      const fallback = builtInBootstrapConfig(this.options.runDir);
      if (text === fallback) throw error;
      this.options.log(`bso-haproxy: HAProxy does not start on the bootstrap config (${(error as Error).message}); using the built-in one`, 'warn');
      text = fallback;
      await this.startOn(text);
    }
    const hash = hashConfigText(text);
    this.options.metrics.running.set(1);
    this.options.metrics.setConfigHash(hash);
    this.summary = { configHash: hash, loadedConfigHash: hash };
    this.options.log(`bso-haproxy: HAProxy ${this.options.name} started on the bootstrap config ${hash.slice(0, 12)} (master ${this.process.pid})`);
    this.panicTimer = setInterval(() => { if (!this.stopping) void this.panic.step(); }, statusPollMs).unref();
    if (statusIntervalMs) {
      this.heartbeatMs = statusIntervalMs;
      this.reportTimer = setInterval(() => this.report(true), Math.min(statusPollMs, statusIntervalMs)).unref();
    }
    this.report();
  }

  private async startOn(text: string): Promise<void> {
    const hash = hashConfigText(text);
    writeFileAtomic(this.configFile, stampConfig(text, hash));
    this.applier = new ConfigApplier({
      haproxy: this.options.haproxy, process: this.process, masterSocket: this.masterSocket, configFile: this.configFile,
      candidateFile: join(this.options.runDir, 'candidate.cfg'), env: this.options.env, verifyTimeoutMs: this.options.verifyTimeoutMs, checkBinds: this.options.checkBinds,
    }, { text, hash });
    await this.process.start();
  }

  /** A config from the operator. Only the newest counts; applying happens in the background. */
  offer(text: string, hash: string): void {
    this.desired = { text, hash };
    void this.drain();
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.reportTimer) clearInterval(this.reportTimer);
    if (this.panicTimer) clearInterval(this.panicTimer);
    await this.process.stop(graceMs);
    this.options.metrics.running.set(0);
  }

  /** Resolves when every offered config has been handled. */
  async settled(): Promise<void> {
    while (this.draining) await sleep(20);
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.applier) return;
    this.draining = true;
    let transientBackoff = 500;
    try {
      while (!this.stopping) {
        const target = this.desired;
        if (!target || target === this.handled) break;
        if (this.rejected.has(target.hash)) {
          // HAProxy refused these bytes already: not retried until the operator serves another config.
          this.handled = target;
          this.options.log(`bso-haproxy: config ${target.hash.slice(0, 12)} was rejected before; not retrying it`, 'warn');
          break;
        }
        if (this.applier.plan(target.text).kind === 'reload') {
          await this.waitForReloadSlot();
          if (this.desired !== target) continue; // a newer config came meanwhile: take that one
        }
        try {
          const result = await this.applier.apply(target.text, target.hash);
          this.handled = target;
          transientBackoff = 500;
          this.record(target.hash, result);
        } catch (error) {
          if (!(error instanceof TransientApplyError)) throw error;
          this.options.log(`bso-haproxy: cannot apply config ${target.hash.slice(0, 12)} now: ${error.message}; retrying`, 'warn');
          this.summary = { ...this.summary, lastError: error.message };
          await sleep(transientBackoff);
          transientBackoff = Math.min(transientBackoff * 2, 30_000);
        }
      }
    } catch (error) {
      this.options.log(`bso-haproxy: applying failed unexpectedly: ${(error as Error).stack ?? String(error)}`, 'error');
      this.summary = { ...this.summary, lastError: (error as Error).message };
    } finally {
      this.draining = false;
    }
  }

  /** At most one reload per minReloadInterval, and not while maxOldWorkers old workers still run. */
  private async waitForReloadSlot(): Promise<void> {
    const wait = this.lastReloadAt + this.options.minReloadIntervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    const deadline = Date.now() + this.options.oldWorkersWaitMs;
    while (Date.now() < deadline && !this.stopping) {
      let old: number;
      try {
        old = (await this.process.showProc()).oldWorkers.length;
      } catch {
        return; // the apply step reports a master that does not answer
      }
      this.options.metrics.oldWorkers.set(old);
      if (old < this.options.maxOldWorkers) return;
      await sleep(250);
    }
  }

  private record(hash: string, result: ApplyResult): void {
    const m = this.options.metrics;
    m.countUpdate(result.outcome);
    const now = new Date().toISOString();
    const short = hash.slice(0, 12);
    if (result.outcome === 'rejected') {
      m.failedReloads.inc({ stage: result.stage ?? 'reload' });
      this.rejected.set(hash, result.error ?? '');
      if (this.rejected.size > REJECTED_MEMORY) this.rejected.delete(this.rejected.keys().next().value!);
      this.summary = { ...this.summary, lastOutcome: 'rejected', lastReason: result.reason, lastError: `${result.stage}: ${result.error}`, rejectedConfigHash: hash, updatedAt: now };
      this.options.log(`bso-haproxy: REJECTED config ${short} at ${result.stage} (the previous config keeps serving): ${result.error}`, 'error');
    } else {
      if (result.outcome === 'reload') {
        this.lastReloadAt = Date.now();
        m.reloadDuration.observe(result.reloadSeconds ?? 0);
      }
      m.setConfigHash(hash);
      this.summary = { ...this.summary, configHash: hash, loadedConfigHash: this.applier?.loadedHash, lastOutcome: result.outcome, lastReason: result.reason, lastError: undefined, updatedAt: now, lastReloadSeconds: result.reloadSeconds };
      this.options.log(`bso-haproxy: ${describe(result.outcome)} config ${short}: ${result.reason}${result.reloadSeconds !== undefined ? ` (${result.reloadSeconds.toFixed(3)} s, generation ${result.generation})` : ''}`);
    }
    this.options.onUpdate?.({ ...result, hash });
    this.report();
  }

  /**
   * Builds and hands over a report; calls made while one is in flight coalesce into one more.
   * onlyIfChanged (the poll timer): skipped when nothing the operator shows changed since the
   * last report, unless the heartbeat interval has passed.
   */
  report(onlyIfChanged = false): void {
    if (!this.options.onReport) return;
    if (this.reporting) {
      this.reportOnlyIfChanged &&= onlyIfChanged;
      this.reportAgain = true;
      return;
    }
    this.reportOnlyIfChanged = onlyIfChanged;
    this.reporting = (async () => {
      do {
        this.reportAgain = false;
        const report = await buildStatusReport(this.process, this.masterSocket, this.summary, this.panic.status, this.options.name);
        this.options.metrics.oldWorkers.set(report.haproxy.oldWorkers);
        const fingerprint = reportFingerprint(report);
        const due = Date.now() - this.lastSentAt >= this.heartbeatMs;
        if (this.reportOnlyIfChanged && fingerprint === this.lastSentFingerprint && !due) continue;
        this.reportOnlyIfChanged = true;
        try {
          report.servers = await withReplicaLoads(report.servers);
          await this.options.onReport!(report);
          this.lastSentFingerprint = fingerprint;
          this.lastSentAt = Date.now();
        } catch (error) {
          this.options.metrics.statusErrors.inc();
          this.options.log(`bso-haproxy: status report failed: ${(error as Error).message}`, 'warn');
        }
      } while (this.reportAgain && !this.stopping);
    })().finally(() => { this.reporting = undefined; });
  }

  private onMasterExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.options.metrics.running.set(0);
    if (this.stopping) return;
    this.options.metrics.masterRestarts.inc();
    this.options.log(`bso-haproxy: the HAProxy master exited (${signal ?? `code ${code}`})`, 'error');
    this.scheduleRestart();
  }

  /** Starts the master again on the live config, with backoff until it works. */
  private scheduleRestart(): void {
    const delay = this.restartBackoffMs;
    this.restartBackoffMs = Math.min(this.restartBackoffMs * 2, 30_000);
    this.options.log(`bso-haproxy: starting HAProxy again in ${delay} ms`, 'warn');
    setTimeout(() => {
      if (this.stopping) return;
      this.process.start().then(() => {
        this.restartBackoffMs = 1000;
        this.options.metrics.running.set(1);
        this.options.log(`bso-haproxy: HAProxy started again (master ${this.process.pid})`);
        this.report();
        void this.drain();
      }, (error: Error) => {
        this.options.log(`bso-haproxy: restart failed: ${error.message}`, 'error');
        this.summary = { ...this.summary, lastError: `restart: ${error.message}` };
        this.report();
        this.scheduleRestart();
      });
    }, delay).unref();
  }
}

function describe(outcome: UpdateOutcome): string {
  return { noop: 'unchanged', runtime: 'applied at runtime', reload: 'reloaded with', rejected: 'rejected' }[outcome];
}

/** What the operator shows from a report; the time it was made does not count. */
export function reportFingerprint(report: StatusReport): string {
  const { reportedAt: _reportedAt, servers, panicGuard, ...rest } = report;
  const guard = panicGuard && { ...panicGuard, held: panicGuard.held.map((h) => [h.name, h.address, h.since]) };
  return JSON.stringify({ ...rest, guard, servers: servers.map((s) => [s.name, s.address, s.state, weightStep(s.weight)]) });
}

/**
 * Weights move by a point or two all the time (agents report capacity, not a fixed value): a
 * report is news when a weight moved to another step of WEIGHT_STEP, not at every wobble; the
 * heartbeat carries the exact values.
 */
export const WEIGHT_STEP = 10;
const weightStep = (weight: number) => Math.round(weight / WEIGHT_STEP);
