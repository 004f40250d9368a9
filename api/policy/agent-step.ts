// One step of the agent's loop, pure: a probe reading and the requests served since the last one
// in, smoothed signals and the next decision out. The worker (api/agent/) only reads the probe
// and the request counters, calls this and serves the reply.
//
// Pressure, the signal the thresholds act on (percent of the container's limit):
//   proportional  CPU used in the container by anything but the replica's own process (foreign
//                 CPU), and/or memory (spec.agent.metric): the replica's own request work lowers
//                 its weight and concurrency instead, so healthy replicas carrying their share
//                 never go to maint; HAProxy's bounded queue takes what they cannot.
//   binary        the container's whole CPU and/or memory, as the seed's agent measured it.
import { startCapacity, stepCapacity, type CapacityConfig, type CapacityState } from './capacity.js';
import { decideAgentReply, type AgentDecision, type AgentPolicy } from './decide-agent-reply.js';
import { computeCpuRatio, computeMemoryRatio, computeStalledRatio, computeThrottledRatio, selectLoad, type AgentMetric, type ProbeReading } from './load.js';
import type { RequestWindow } from './service-time.js';
import { smoothEwma } from './smoothing.js';
import { computeReadyWeight } from './weight.js';

export interface AgentSignals {
  /** The container's CPU over its limit. */
  cpu: number;
  /** CPU used by anything but the replica's own process, over the limit. */
  foreignCpu: number;
  memory: number;
  /** Share of CFS periods in which the container ran out of quota. */
  throttled: number;
  /** Share of wall time the container spent throttled (waiting for its next CFS period). */
  stalled: number;
  /** The pressure the thresholds act on (see above). */
  load: number;
}

export interface AgentLoopConfig {
  metric: AgentMetric;
  /** EWMA time constant of the pressure. */
  smoothingMs: number;
  policy: AgentPolicy;
  capacity: CapacityConfig;
}

/** A probe reading with the replica's own process's CPU time at the same moment. */
export type AgentReading = ProbeReading & { ownCpuSeconds?: number };

export interface AgentLoopState {
  lastReading: AgentReading | undefined;
  raw: AgentSignals;
  smoothed: AgentSignals;
  capacity: CapacityState;
  /** Requests in flight at the last reading. */
  inFlight: number;
  decision: AgentDecision;
}

const ZERO: AgentSignals = { cpu: 0, foreignCpu: 0, memory: 0, throttled: 0, stalled: 0, load: 0 };
const NO_REQUESTS: RequestWindow = { completed: 0, buckets: [], totalUs: 0, inFlight: 0 };

export function startAgentLoop(config: AgentLoopConfig, nowMs: number): AgentLoopState {
  const capacity = startCapacity(config.capacity);
  const decision = decideAgentReply(undefined, { loadPercent: 0, nowMs, draining: false, weightPercent: capacity.weightPercent, concurrency: capacity.concurrency }, config.policy);
  return { lastReading: undefined, raw: ZERO, smoothed: ZERO, capacity, inFlight: 0, decision };
}

/** Folds a reading into the state. The first reading only sets the baseline for CPU. */
export function stepAgentLoop(state: AgentLoopState, reading: AgentReading, config: AgentLoopConfig, draining: boolean, requests: RequestWindow = NO_REQUESTS): AgentLoopState {
  const previous = state.lastReading;
  if (!previous) return { ...state, lastReading: reading };
  const elapsedMs = reading.atMs - previous.atMs;
  const cpu = computeCpuRatio(previous, reading) ?? state.raw.cpu;
  const ownCpu = computeOwnCpuRatio(previous, reading);
  const foreignCpu = ownCpu === undefined ? cpu : Math.max(0, cpu - ownCpu);
  const memory = computeMemoryRatio(reading) ?? state.raw.memory;
  const throttled = computeThrottledRatio(previous, reading) ?? 0;
  const stalled = computeStalledRatio(previous, reading) ?? 0;
  const binary = config.policy.weighting === 'binary';
  const pressureCpu = (c: number, f: number) => (binary ? c : f);
  const raw: AgentSignals = { cpu, foreignCpu, memory, throttled, stalled, load: selectLoad(config.metric, pressureCpu(cpu, foreignCpu), memory) };
  const s = state.smoothed;
  const smooth = (a: number, b: number) => smoothEwma(a, b, elapsedMs, config.smoothingMs);
  const smoothed: AgentSignals = {
    cpu: smooth(s.cpu, cpu), foreignCpu: smooth(s.foreignCpu, foreignCpu), memory: smooth(s.memory, memory), throttled: smooth(s.throttled, throttled), stalled: smooth(s.stalled, stalled), load: 0,
  };
  smoothed.load = selectLoad(config.metric, pressureCpu(smoothed.cpu, smoothed.foreignCpu), smoothed.memory);

  const capacity = stepCapacity(state.capacity, { elapsedMs, containerCpu: cpu, ownCpu: ownCpu ?? 0, limitCores: reading.cpuLimitCores, requests }, config.capacity);
  const decision = decideAgentReply(state.decision, {
    loadPercent: smoothed.load * 100, nowMs: reading.atMs, draining,
    weightPercent: readyWeight(config, capacity, smoothed.memory), concurrency: capacity.concurrency,
  }, config.policy);
  return { lastReading: reading, raw, smoothed, capacity, inFlight: requests.inFlight, decision };
}

/** Re-decides without a new reading, e.g. the moment shutdown begins. */
export function redecideAgentLoop(state: AgentLoopState, config: AgentLoopConfig, nowMs: number, draining: boolean): AgentLoopState {
  const decision = decideAgentReply(state.decision, {
    loadPercent: state.smoothed.load * 100, nowMs, draining,
    weightPercent: readyWeight(config, state.capacity, state.smoothed.memory), concurrency: state.capacity.concurrency,
  }, config.policy);
  return { ...state, decision };
}

/** The replica's own process's CPU over the limit between two readings. */
function computeOwnCpuRatio(previous: AgentReading, next: AgentReading): number | undefined {
  if (previous.ownCpuSeconds === undefined || next.ownCpuSeconds === undefined) return undefined;
  return computeCpuRatio({ ...previous, cpuSeconds: previous.ownCpuSeconds }, { ...next, cpuSeconds: next.ownCpuSeconds });
}

/** cpu: the capacity weight; memory: the memory headroom below maint; max: the lower of both. Latency lowers all. */
function readyWeight(config: AgentLoopConfig, capacity: CapacityState, memory: number): number {
  const memoryWeight = Math.max(1, Math.round(computeReadyWeight(memory * 100, config.policy.maintAt) * capacity.latencyFactor));
  if (config.metric === 'cpu') return capacity.weightPercent;
  if (config.metric === 'memory') return memoryWeight;
  return Math.min(capacity.weightPercent, memoryWeight);
}
