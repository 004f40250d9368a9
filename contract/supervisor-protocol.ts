// The config protocol between the operator (server: operator/config-endpoint.ts) and the
// supervisor in each HAProxy container (client). Part of the contract between the images
// (contract/): imports nothing of ours. Pull with long-poll, like Envoy's xDS:
//   GET  /v1/haproxy/<name>/config?wait=30s   Authorization: Bearer <token>, If-None-Match: "<hash>"
//        200 + config text + ETag "<hash>" when it differs; 304 when unchanged after the wait
//   PUT  /v1/haproxy/<name>/status            Authorization: Bearer <token>, JSON StatusReport -> 204

export type ServerState = 'UP' | 'MAINT' | 'DRAIN' | 'DOWN' | 'NOLB' | 'UNKNOWN';

export interface ServerReport {
  backend: string;
  name: string;
  /** ip:port of the replica in the slot. */
  address?: string;
  state: ServerState;
  /** Effective weight (the agent's NN% of 100; 0 in MAINT/DRAIN). */
  weight: number;
  /** Last health check, e.g. L7OK, L4CON. */
  checkStatus?: string;
  /** Last agent check, e.g. L7OK, and what the agent said (e.g. "ready 55%"). */
  agentStatus?: string;
  agentDescription?: string;
  /** Connections to the replica now. */
  sessions: number;
  /** The replica's smoothed CPU and memory as shares of its limits, from its own /metrics (0..1+). */
  cpu?: number;
  memory?: number;
}

/** HAProxy's check statuses that say the agent did not answer (configuration.txt, "check_status"). */
const AGENT_FAILED = new Set(['SOCKERR', 'L4TOUT', 'L4CON', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7STS', 'PROCERR', 'PROCTOUT']);

/**
 * Whether a server's agent answered its last agent check, from HAProxy's agent_status (CHECKED
 * when it answered); undefined when HAProxy has no agent status for it (not checked yet, or no
 * agent check).
 */
export function agentAnswered(agentStatus: string | undefined): boolean | undefined {
  if (agentStatus === undefined || agentStatus === '' || agentStatus === 'INI' || agentStatus === 'UNK') return undefined;
  return !AGENT_FAILED.has(agentStatus);
}

export const CONFIG_PATH = (name: string) => `/v1/haproxy/${encodeURIComponent(name)}/config`;
export const STATUS_PATH = (name: string) => `/v1/haproxy/${encodeURIComponent(name)}/status`;
/** Longest long-poll the server grants; a client asking for more gets this. */
export const MAX_WAIT_MS = 60_000;
export const DEFAULT_WAIT_MS = 30_000;
/** A status report is small; anything bigger is refused. */
export const MAX_STATUS_BYTES = 1024 * 1024;

export type UpdateOutcome = 'noop' | 'runtime' | 'reload' | 'rejected';
export const UPDATE_OUTCOMES: readonly UpdateOutcome[] = ['noop', 'runtime', 'reload', 'rejected'];

export interface StatusReport {
  /** Hash of the config being served (runtime changes included); undefined while on the bootstrap config. */
  configHash?: string;
  /** Hash of the config the current worker loaded at its last (re)load. */
  loadedConfigHash?: string;
  lastOutcome?: UpdateOutcome;
  /** Why the last update was a reload, or why it was rejected. */
  lastReason?: string;
  lastError?: string;
  /** The config that was rejected last (not retried until the operator serves another one). */
  rejectedConfigHash?: string;
  /** ISO time of the last update outcome. */
  updatedAt?: string;
  /** With lastOutcome reload: from haproxy -c to the verified new worker, in seconds. */
  lastReloadSeconds?: number;
  /** ISO time this report was made. */
  reportedAt: string;
  /**
   * Which HAProxy instance reports (spec.haproxy.replicas may run several): its host name, the
   * Swarm task's container or the Kubernetes pod. Absent from supervisors that predate several
   * instances; the operator then counts them as one.
   */
  instance?: string;
  haproxy: { running: boolean; masterPid?: number; workerPid?: number; oldWorkers: number; reloads: number };
  /** Agent-checked servers only (the panic guard's backup slots are left out). */
  servers: ServerReport[];
  /** The panic guard (docs/haproxy.md); absent from supervisors that predate it. */
  panicGuard?: PanicGuardStatus;
}

/** The panic guard's state: which overloaded servers the supervisor keeps in service, since when. */
export interface PanicGuardStatus {
  /** From the config's `# bso panic-threshold N`; 0 = off. */
  thresholdPercent: number;
  active: boolean;
  /** ISO time the guard engaged. */
  since?: string;
  held: Array<{ name: string; address: string; since: string; loadPercent?: number }>;
  /** Servers with an address that are UP or MAINT, and how many of them must serve. */
  eligible: number;
  needed: number;
}

/** A quoted ETag from a hash, and back. */
export const etagOf = (hash: string) => `"${hash}"`;
export function hashOfEtag(etag: string | null | undefined): string | undefined {
  const match = /^(?:W\/)?"([^"]*)"$/.exec(etag?.trim() ?? '');
  return match ? match[1] : undefined;
}

/** wait=30s, 500ms, 2m or plain seconds; clamped to [0, MAX_WAIT_MS]. */
export function parseWait(value: string | null | undefined): number {
  if (value === null || value === undefined || value === '') return 0;
  const match = /^([0-9]{1,7})(ms|s|m)?$/.exec(value);
  if (!match) return 0;
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
  return Math.min(ms, MAX_WAIT_MS);
}

/** Checks the shape of a report received over the wire; returns a message for the first problem. */
export function statusReportProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a JSON object';
  const r = value as Record<string, unknown>;
  if (typeof r.reportedAt !== 'string') return 'reportedAt must be a string';
  for (const key of ['configHash', 'loadedConfigHash', 'lastReason', 'lastError', 'rejectedConfigHash', 'updatedAt'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string') return `${key} must be a string`;
  }
  if (r.lastReloadSeconds !== undefined && (typeof r.lastReloadSeconds !== 'number' || !(r.lastReloadSeconds >= 0))) return 'lastReloadSeconds must be a number >= 0';
  if (r.lastOutcome !== undefined && !UPDATE_OUTCOMES.includes(r.lastOutcome as UpdateOutcome)) return `lastOutcome must be one of ${UPDATE_OUTCOMES.join(', ')}`;
  const h = r.haproxy as Record<string, unknown> | undefined;
  if (typeof h !== 'object' || h === null || typeof h.running !== 'boolean' || typeof h.oldWorkers !== 'number' || typeof h.reloads !== 'number') return 'haproxy must be { running, oldWorkers, reloads, ... }';
  if (!Array.isArray(r.servers)) return 'servers must be an array';
  for (const [i, s] of r.servers.entries()) {
    const server = s as Record<string, unknown>;
    if (typeof server !== 'object' || server === null || typeof server.name !== 'string' || typeof server.state !== 'string' || typeof server.weight !== 'number') {
      return `servers[${i}] must have name, state and weight`;
    }
  }
  if (r.panicGuard !== undefined) {
    const g = r.panicGuard as Record<string, unknown>;
    if (typeof g !== 'object' || g === null || typeof g.active !== 'boolean' || typeof g.thresholdPercent !== 'number' || !Array.isArray(g.held)) return 'panicGuard must be { thresholdPercent, active, held, ... }';
    for (const [i, h] of g.held.entries()) {
      const held = h as Record<string, unknown>;
      if (typeof held !== 'object' || held === null || typeof held.name !== 'string' || typeof held.address !== 'string' || typeof held.since !== 'string') return `panicGuard.held[${i}] must have name, address and since`;
    }
  }
  return undefined;
}
