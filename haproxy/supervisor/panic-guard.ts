// The panic guard's decision (like Envoy's panic threshold): when overload (agents answering
// `maint`) would leave fewer than threshold% of the servers serving, keep the least-loaded
// overloaded servers in service. Pure: HAProxy's server states, what each agent answered the
// supervisor's own probe, and the time come in as data; panic-runner.ts applies the outcome.
//
//   eligible = servers with an address that are UP, NOLB or MAINT (not DOWN by health check, not draining)
//   needed   = ceil(threshold% x eligible)                      (0 when the threshold is 0)
//   a held server is released when its agent says ready (or drain), it went DOWN, it left its
//   slot, or the threshold became 0; all held servers are released once enough servers serve
//   without them and the newest hold is at least minHoldMs old (no flapping)
//   while fewer than `needed` serve: hold the MAINT servers whose agent answered `maint`, lowest
//   load first (unknown load last, then by name), until `needed` serve
import type { AgentAnswer } from '../../contract/agent-reply.js';
import type { ServerState } from '../../contract/supervisor-protocol.js';

export interface GuardServer {
  name: string;
  /** ip:port of the replica in the slot. */
  address?: string;
  state: ServerState;
  /** What the agent answered the supervisor's probe this round; undefined when not asked or no answer. */
  agent?: AgentAnswer;
}

export interface HeldServer {
  name: string;
  address: string;
  /** When the guard took it (ms since the epoch). */
  sinceMs: number;
  loadPercent?: number;
}

export interface GuardState {
  held: HeldServer[];
  /** When the guard engaged (first hold of this episode); undefined while released. */
  sinceMs?: number;
}

export interface GuardDecision {
  state: GuardState;
  /** Servers to take into service now (newly held). */
  hold: string[];
  /** Held servers that are MAINT again (a new worker, the agent answered before the hold took): hold again. */
  reassert: string[];
  /** Servers to give back to their agents. */
  release: Array<{ name: string; why: string }>;
  eligible: number;
  needed: number;
  /** Servers serving after this decision (held ones included). */
  serving: number;
}

export const INACTIVE: GuardState = { held: [] };

export function decidePanicGuard(previous: GuardState, servers: readonly GuardServer[], thresholdPercent: number, nowMs: number, minHoldMs: number): GuardDecision {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const eligible = servers.filter((s) => s.address !== undefined && (s.state === 'UP' || s.state === 'NOLB' || s.state === 'MAINT')).length;
  const needed = thresholdPercent > 0 ? Math.ceil((thresholdPercent * eligible) / 100) : 0;

  const release: GuardDecision['release'] = [];
  let kept: HeldServer[] = [];
  for (const h of previous.held) {
    const why = releaseReason(h, byName.get(h.name), thresholdPercent);
    if (why) release.push({ name: h.name, why });
    else kept.push({ ...h, loadPercent: byName.get(h.name)?.agent?.loadPercent ?? h.loadPercent });
  }

  const isHeld = (name: string) => kept.some((h) => h.name === name);
  const servingUnheld = servers.filter((s) => s.state === 'UP' && !isHeld(s.name)).length;
  const newestHold = Math.max(...kept.map((h) => h.sinceMs));
  if (kept.length > 0 && servingUnheld >= needed && nowMs - newestHold >= minHoldMs) {
    for (const h of kept) release.push({ name: h.name, why: `${servingUnheld} of ${eligible} servers serve without the guard (needed ${needed})` });
    kept = [];
  }

  let serving = servingUnheld + kept.length;
  const hold: string[] = [];
  if (serving < needed) {
    const candidates = servers
      .filter((s) => s.state === 'MAINT' && s.address !== undefined && s.agent?.state === 'maint' && !isHeld(s.name))
      .sort(byLoadThenName);
    for (const c of candidates.slice(0, needed - serving)) {
      hold.push(c.name);
      kept.push({ name: c.name, address: c.address!, sinceMs: nowMs, loadPercent: c.agent?.loadPercent });
      serving += 1;
    }
  }

  const reassert = kept.filter((h) => !hold.includes(h.name) && byName.get(h.name)?.state === 'MAINT').map((h) => h.name);
  kept.sort((a, b) => compareNames(a.name, b.name));
  const sinceMs = kept.length === 0 ? undefined : (previous.held.length > 0 && previous.sinceMs !== undefined ? previous.sinceMs : nowMs);
  return { state: { held: kept, sinceMs }, hold, reassert, release, eligible, needed, serving };
}

function releaseReason(held: HeldServer, now: GuardServer | undefined, thresholdPercent: number): string | undefined {
  if (thresholdPercent === 0) return 'the panic threshold is 0 (guard off)';
  if (!now || now.address !== held.address) return 'its replica left the slot';
  if (now.state === 'DOWN') return 'its health check fails';
  if (now.state === 'DRAIN' || now.agent?.state === 'drain') return 'its replica is draining';
  if (now.agent?.state === 'ready') return 'its agent says ready again';
  return undefined;
}

function byLoadThenName(a: GuardServer, b: GuardServer): number {
  const la = a.agent?.loadPercent ?? Infinity;
  const lb = b.agent?.loadPercent ?? Infinity;
  return la !== lb ? (la < lb ? -1 : 1) : compareNames(a.name, b.name);
}

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

