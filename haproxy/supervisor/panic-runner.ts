// Runs the panic guard (panic-guard.ts) against the live HAProxy, once per status poll: reads the
// threshold and agent port from the live config, `show stat` from the worker, asks the agents of
// the servers in MAINT (and of the held ones) directly over TCP (the agent port, never the API
// port: those would count as traffic), decides, and drives HAProxy's runtime API:
//   hold     disable agent B/S; set server B/S state ready; set weight B/S HELD_WEIGHT
//   release  enable agent B/S   (the agent's next reply sets the state and weight again)
import { connect } from 'node:net';
import type { PanicGuardStatus } from '../../contract/supervisor-protocol.js';
import { panicBackendName } from '../render/build-model.js';
import { tokenizeConfig } from '../render/config-tokens.js';
import { readPanicThreshold } from '../render/panic-line.js';
import { parseAgentReply, type AgentAnswer } from '../../contract/agent-reply.js';
import { decidePanicGuard, INACTIVE, type GuardDecision, type GuardServer, type GuardState } from './panic-guard.js';
import { runOnWorker, sendCommand } from './runtime-api.js';
import { parseShowStat } from './show-stat.js';

/** Weight of a held server, of the configured 100: overloaded replicas get less than ready ones. */
export const HELD_WEIGHT = 10;
export const DEFAULT_MIN_HOLD_MS = 5000;
const PROBE_TIMEOUT_MS = 800;


export interface PanicRunnerOptions {
  masterSocket: string;
  /** The BalancedService: its panic backend's servers are not the guard's to hold. */
  service: string;
  /** The config HAProxy serves now (the threshold and agent port come from it). */
  liveConfig: () => string | undefined;
  workerPid: () => Promise<number | undefined>;
  minHoldMs?: number;
  /** A line for the log, at a level (default info). */
  log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Called after a step that engaged or released the guard, or held or released a server. */
  onChange?: (status: PanicGuardStatus, event: 'engaged' | 'released' | 'changed') => void;
}

export class PanicRunner {
  private state: GuardState = INACTIVE;
  private last: Pick<GuardDecision, 'eligible' | 'needed'> = { eligible: 0, needed: 0 };
  private threshold = 0;
  private workerPid: number | undefined;
  private running = false;

  constructor(private readonly options: PanicRunnerOptions) {}

  get status(): PanicGuardStatus {
    return {
      thresholdPercent: this.threshold,
      active: this.state.held.length > 0,
      since: this.state.sinceMs === undefined ? undefined : new Date(this.state.sinceMs).toISOString(),
      held: this.state.held.map((h) => ({ name: h.name, address: h.address, since: new Date(h.sinceMs).toISOString(), loadPercent: h.loadPercent })),
      eligible: this.last.eligible,
      needed: this.last.needed,
    };
  }

  /** One round; overlapping calls are skipped. Errors (HAProxy reloading...) wait for the next round. */
  async step(nowMs = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.run(nowMs);
    } catch (error) {
      this.options.log(`bso-haproxy: panic guard: ${(error as Error).message}; trying again`, 'warn');
    } finally {
      this.running = false;
    }
  }

  private async run(nowMs: number): Promise<void> {
    const text = this.options.liveConfig();
    const pid = await this.options.workerPid();
    if (text === undefined || pid === undefined) return;
    this.threshold = readPanicThreshold(text);
    if (this.threshold === 0 && this.state.held.length === 0) {
      this.last = { eligible: 0, needed: 0 };
      return;
    }
    const all = parseShowStat(await sendCommand(this.options.masterSocket, `@!${pid} show stat`, 10_000)).filter((s) => s.backend !== panicBackendName(this.options.service));
    const backend = all[0]?.backend;
    const agentPort = agentPortOf(text);
    const heldNames = new Set(this.state.held.map((h) => h.name));
    // Agents of servers in MAINT are asked only when a hold may be needed; held ones every round.
    const eligible = all.filter((s) => s.address && (s.state === 'UP' || s.state === 'NOLB' || s.state === 'MAINT')).length;
    const short = all.filter((s) => s.state === 'UP').length < Math.ceil((this.threshold * eligible) / 100);
    const servers: GuardServer[] = await Promise.all(all.map(async (s) => {
      const server: GuardServer = { name: s.name, address: s.address, state: s.state };
      if (this.threshold > 0 && agentPort !== undefined && s.address && ((short && s.state === 'MAINT') || heldNames.has(s.name))) {
        server.agent = await askAgent(s.address.replace(/:\d+$/, ''), agentPort);
      }
      return server;
    }));
    const decision = decidePanicGuard(this.state, servers, this.threshold, nowMs, this.options.minHoldMs ?? DEFAULT_MIN_HOLD_MS);
    const newWorker = this.workerPid !== undefined && this.workerPid !== pid;
    this.workerPid = pid;
    // A new worker loaded the states from the server-state file, but not the agents we disabled.
    const holdNow = new Set([...decision.hold, ...decision.reassert, ...(newWorker ? decision.state.held.map((h) => h.name) : [])]);
    const commands: string[] = [];
    if (backend) {
      for (const r of decision.release) commands.push(`enable agent ${backend}/${r.name}`);
      for (const name of holdNow) commands.push(`disable agent ${backend}/${name}`, `set server ${backend}/${name} state ready`, `set weight ${backend}/${name} ${HELD_WEIGHT}`);
    }
    const errors = commands.length > 0 ? await runOnWorker(this.options.masterSocket, pid, commands) : [];
    if (errors.length > 0) this.options.log(`bso-haproxy: panic guard: HAProxy answered: ${errors.join('; ')}`, 'warn');

    const wasActive = this.state.held.length > 0;
    this.state = decision.state;
    this.last = { eligible: decision.eligible, needed: decision.needed };
    for (const r of decision.release) this.options.log(`bso-haproxy: panic guard released ${r.name}: ${r.why}`);
    for (const name of decision.hold) {
      const load = decision.state.held.find((h) => h.name === name)?.loadPercent;
      this.options.log(`bso-haproxy: panic guard holds ${name} in service (load ${load === undefined ? 'unknown' : `${load}%`}): ${decision.serving - decision.hold.length} of ${decision.eligible} servers would serve, ${decision.needed} needed (threshold ${this.threshold}%)`, 'warn');
    }
    const active = this.state.held.length > 0;
    if (active !== wasActive || decision.hold.length > 0 || decision.release.length > 0) {
      this.options.onChange?.(this.status, active && !wasActive ? 'engaged' : !active && wasActive ? 'released' : 'changed');
    }
  }
}

/** The agent port of the agent-checked servers, from the config's server or server-template line. */
export function agentPortOf(configText: string): number | undefined {
  for (const line of tokenizeConfig(configText)) {
    if ((line.tokens[0] !== 'server-template' && line.tokens[0] !== 'server') || !line.tokens.includes('agent-check')) continue;
    const at = line.tokens.indexOf('agent-port');
    const port = Number(line.tokens[at + 1]);
    if (at > 0 && Number.isInteger(port) && port > 0 && port < 65536) return port;
  }
  return undefined;
}

/** Reads the agent's one-line answer; undefined when it does not answer in time. */
export function askAgent(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<AgentAnswer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    let done = false;
    const finish = (answer: AgentAnswer | undefined) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\n') || text.length > 512) finish(parseAgentReply(text.split('\n')[0]!));
    });
    socket.on('end', () => finish(text === '' ? undefined : parseAgentReply(text)));
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(text === '' ? undefined : parseAgentReply(text)));
  });
}
