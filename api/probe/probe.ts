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
