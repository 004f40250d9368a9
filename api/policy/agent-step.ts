// One step of the agent's loop, pure: a new probe reading in, smoothed signals and the next
// decision out. The worker (api/agent/) only reads the probe, calls this and serves the reply.
import { decideAgentReply, type AgentDecision, type AgentPolicy } from './decide-agent-reply.js';
import { computeCpuRatio, computeMemoryRatio, selectLoad, type AgentMetric, type ProbeReading } from './load.js';
import { smoothEwma } from './smoothing.js';

export interface AgentSignals {
  cpu: number;
  memory: number;
  /** The signal the policy acts on (cpu, memory or their max). */
  load: number;
}

export interface AgentLoopConfig {
  metric: AgentMetric;
  /** EWMA time constant. */
  smoothingMs: number;
  policy: AgentPolicy;
}

export interface AgentLoopState {
  lastReading: ProbeReading | undefined;
  raw: AgentSignals;
  smoothed: AgentSignals;
  decision: AgentDecision;
}

const ZERO: AgentSignals = { cpu: 0, memory: 0, load: 0 };

export function startAgentLoop(config: AgentLoopConfig, nowMs: number): AgentLoopState {
  const decision = decideAgentReply(undefined, { loadPercent: 0, nowMs, draining: false }, config.policy);
  return { lastReading: undefined, raw: ZERO, smoothed: ZERO, decision };
}

/** Folds a reading into the state. The first reading only sets the baseline for CPU. */
export function stepAgentLoop(state: AgentLoopState, reading: ProbeReading, config: AgentLoopConfig, draining: boolean): AgentLoopState {
  const previous = state.lastReading;
  if (!previous) return { ...state, lastReading: reading };
  const elapsedMs = reading.atMs - previous.atMs;
  const cpu = computeCpuRatio(previous, reading) ?? state.raw.cpu;
  const memory = computeMemoryRatio(reading) ?? state.raw.memory;
  const raw = { cpu, memory, load: selectLoad(config.metric, cpu, memory) };
  const smoothCpu = smoothEwma(state.smoothed.cpu, cpu, elapsedMs, config.smoothingMs);
  const smoothMemory = smoothEwma(state.smoothed.memory, memory, elapsedMs, config.smoothingMs);
  const smoothed = { cpu: smoothCpu, memory: smoothMemory, load: selectLoad(config.metric, smoothCpu, smoothMemory) };
  const decision = decideAgentReply(state.decision, { loadPercent: smoothed.load * 100, nowMs: reading.atMs, draining }, config.policy);
  return { lastReading: reading, raw, smoothed, decision };
}

/** Re-decides without a new reading, e.g. the moment shutdown begins. */
export function redecideAgentLoop(state: AgentLoopState, config: AgentLoopConfig, nowMs: number, draining: boolean): AgentLoopState {
  const decision = decideAgentReply(state.decision, { loadPercent: state.smoothed.load * 100, nowMs, draining }, config.policy);
  return { ...state, decision };
}
