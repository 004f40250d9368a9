// Load of a container from two probe readings: CPU as the share of its CPU limit used between
// them, memory as the share of its memory limit in use now. Ratios: 1 = the whole limit.

/** One reading of a container's counters (see api/probe/). */
export interface ProbeReading {
  /** Monotonic clock of the reading, milliseconds. */
  atMs: number;
  /** Cumulative CPU time used by the container, seconds. */
  cpuSeconds: number;
  /** CPUs the container may use: its quota, else the CPUs it may run on. */
  cpuLimitCores: number;
  /** Memory in use, without reclaimable page cache, bytes. */
  memoryBytes: number;
  /** Memory limit, or the machine's memory when there is none, bytes. */
  memoryLimitBytes: number;
  /** CFS bandwidth counters (cpu.stat), when the group has a quota: cumulative. */
  throttle?: ThrottleCounters;
}

/** cpu.stat's bandwidth counters: periods elapsed, periods in which the group was throttled, time throttled. */
export interface ThrottleCounters {
  periods: number;
  throttledPeriods: number;
  throttledSeconds: number;
}

export type AgentMetric = 'cpu' | 'memory' | 'max';
export const AGENT_METRICS: readonly AgentMetric[] = ['cpu', 'memory', 'max'];

/** CPU used between two readings relative to the limit; undefined when it cannot be known. */
export function computeCpuRatio(previous: ProbeReading, next: ProbeReading): number | undefined {
  const elapsedSeconds = (next.atMs - previous.atMs) / 1000;
  const used = next.cpuSeconds - previous.cpuSeconds;
  if (!(elapsedSeconds > 0) || !(next.cpuLimitCores > 0) || !(used >= 0)) return undefined;
  return used / (elapsedSeconds * next.cpuLimitCores);
}

export function computeMemoryRatio(reading: ProbeReading): number | undefined {
  if (!(reading.memoryLimitBytes > 0) || !(reading.memoryBytes >= 0)) return undefined;
  return reading.memoryBytes / reading.memoryLimitBytes;
}

/** Share of CFS periods in which the group ran out of quota between two readings; undefined without counters or periods. */
export function computeThrottledRatio(previous: ProbeReading, next: ProbeReading): number | undefined {
  const a = previous.throttle;
  const b = next.throttle;
  if (!a || !b) return undefined;
  const periods = b.periods - a.periods;
  const throttled = b.throttledPeriods - a.throttledPeriods;
  if (!(periods > 0) || !(throttled >= 0)) return undefined;
  return Math.min(1, throttled / periods);
}

/** Share of wall time the group spent throttled between two readings (cpu.stat's throttled time); undefined without counters. */
export function computeStalledRatio(previous: ProbeReading, next: ProbeReading): number | undefined {
  const a = previous.throttle;
  const b = next.throttle;
  const elapsedSeconds = (next.atMs - previous.atMs) / 1000;
  if (!a || !b || !(elapsedSeconds > 0)) return undefined;
  const stalled = b.throttledSeconds - a.throttledSeconds;
  if (!(stalled >= 0)) return undefined;
  return Math.min(1, stalled / elapsedSeconds);
}

export function selectLoad(metric: AgentMetric, cpu: number, memory: number): number {
  if (metric === 'cpu') return cpu;
  if (metric === 'memory') return memory;
  return Math.max(cpu, memory);
}
