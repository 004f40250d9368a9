// What the agent's worker thread and the main thread say to each other.
import type { AgentLoopConfig, AgentSignals } from '../policy/agent-step.js';
import type { AgentState } from '../policy/decide-agent-reply.js';
import type { ProbeKind } from '../probe/probe.js';

export interface AgentWorkerConfig {
  agentPort: number;
  host?: string;
  cgroupRoot: string;
  /** The policy, as one object from the config to the loop. */
  loop: AgentLoopConfig;
  sampleIntervalMs: number;
  maxConnections: number;
  socketDeadlineMs: number;
  /** The request counters the app fills (api/request-stats.ts). */
  requestStats: SharedArrayBuffer;
  /** Start in drain (a worker restarted during shutdown). */
  draining: boolean;
}

export interface AgentSnapshot {
  state: AgentState;
  /** Weight reported to HAProxy, percent of the server's configured weight (0 unless ready). */
  weightPercent: number;
  /** Requests in flight the replica takes (the agent's maxconn before it is shared among HAProxy instances; 0 = none sent). */
  concurrency: number;
  /** HAProxy instances that asked the agent lately (each gets its share of the concurrency). */
  haproxyInstances: number;
  /** Capacity (1 = a spec-sized replica with nothing else running) and the latency factor behind the weight. */
  capacity: number;
  latencyFactor: number;
  /** Recent and baseline service time (p90 of a window), milliseconds; undefined before any traffic. */
  serviceTimeMs: number | undefined;
  baselineServiceTimeMs: number | undefined;
  inFlight: number;
  reply: string;
  /** Wall-clock time (ms since the epoch) the current state began. */
  stateSinceEpochMs: number;
  raw: AgentSignals;
  smoothed: AgentSignals;
  cpuLimitCores: number;
  memoryLimitBytes: number;
  probe: ProbeKind;
  probeSource: string;
  /** Cumulative counters since the worker started. */
  probeErrors: number;
  lastProbeError: string | undefined;
  samples: number;
  replies: Record<AgentState, number>;
  /** `from>to` -> count. */
  transitions: Record<string, number>;
  socketErrors: number;
  openConnections: number;
}

export type WorkerToMain =
  | { type: 'listening'; port: number; snapshot: AgentSnapshot }
  | { type: 'snapshot'; snapshot: AgentSnapshot }
  | { type: 'transition'; from: AgentState; to: AgentState; loadPercent: number }
  | { type: 'fatal'; message: string };

export type MainToWorker = { type: 'drain' } | { type: 'stop' };
