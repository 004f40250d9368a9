// What the agent's worker thread and the main thread say to each other.
import type { AgentSignals } from '../policy/agent-step.js';
import type { AgentState, Weighting } from '../policy/decide-agent-reply.js';
import type { AgentMetric } from '../policy/load.js';
import type { ProbeKind } from '../probe/probe.js';

export interface AgentWorkerConfig {
  agentPort: number;
  host?: string;
  cgroupRoot: string;
  metric: AgentMetric;
  maintAt: number;
  readyAt: number;
  sampleIntervalMs: number;
  smoothingMs: number;
  minMaintMs: number;
  weighting: Weighting;
  maxConnections: number;
  socketDeadlineMs: number;
  /** Start in drain (a worker restarted during shutdown). */
  draining: boolean;
}

export interface AgentSnapshot {
  state: AgentState;
  /** Weight reported to HAProxy, percent of the server's configured weight (0 unless ready). */
  weightPercent: number;
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
