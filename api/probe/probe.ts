// What every probe offers: a reading of the container's cumulative CPU time and current memory,
// with the limits they are relative to. Limits are resolved here, the same way for v1 and v2.
import type { ProbeReading } from '../policy/load.js';

export type ProbeKind = 'cgroup-v1' | 'cgroup-v2' | 'host';

export interface Probe {
  readonly kind: ProbeKind;
  /** Where it reads (the cgroup root, or `/proc` for the host). */
  readonly source: string;
  read(): Promise<ProbeReading>;
}

/** Facts of the machine, for containers without a limit (injected in tests). */
export interface HostFacts {
  /** CPUs this process may run on. */
  cpuCount: number;
  memoryTotalBytes: number;
}

export interface ProbeOptions {
  host: HostFacts;
  /** Monotonic clock in milliseconds (performance.now by default). */
  now?: () => number;
}

/** CPU limit in cores: the CFS quota, capped by the CPUs it may run on. */
export function resolveCpuLimit(quotaUs: number | undefined, periodUs: number | undefined, cpusetCount: number | undefined, host: HostFacts): number {
  const cpus = cpusetCount ?? host.cpuCount;
  if (quotaUs !== undefined && periodUs !== undefined && quotaUs > 0 && periodUs > 0) return Math.min(quotaUs / periodUs, cpus);
  return cpus;
}

/** Memory limit in bytes, or the machine's memory when unlimited or larger. */
export function resolveMemoryLimit(limitBytes: number | undefined, host: HostFacts): number {
  if (limitBytes === undefined || !(limitBytes > 0)) return host.memoryTotalBytes;
  return Math.min(limitBytes, host.memoryTotalBytes);
}

/** Limits change only with `docker update`: re-read at most this often, not on every sample. */
export const LIMITS_REFRESH_MS = 5000;

export interface Limits { cpuLimitCores: number; memoryLimitBytes: number; hasQuota: boolean }

/** `read` at most once per LIMITS_REFRESH_MS of `now`; a read that throws is retried next time. */
export function cachedLimits(now: () => number, read: () => Limits): () => Limits {
  let cached: { at: number; limits: Limits } | undefined;
  return () => {
    const at = now();
    if (!cached || at - cached.at >= LIMITS_REFRESH_MS || at < cached.at) cached = { at, limits: read() };
    return cached.limits;
  };
}
