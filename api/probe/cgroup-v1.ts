// cgroup v1 (one hierarchy per controller, e.g. /sys/fs/cgroup/cpuacct): Docker mounts the
// container's own groups there. CPU: cpuacct.usage (ns) against cpu.cfs_quota_us / period, and
// cpu.stat's bandwidth counters (nr_periods, nr_throttled, throttled_time in ns); memory:
// memory.usage_in_bytes minus total_inactive_file (as `docker stats` does) against
// memory.limit_in_bytes. Limits are re-read every LIMITS_REFRESH_MS, not on every sample.
import { join } from 'node:path';
import type { ProbeReading, ThrottleCounters } from '../policy/load.js';
import { findFile, parseKeyValues, ProbeError, readCpuCount, readInteger, readKeyValue, readText, UNLIMITED_BYTES } from './cgroup-files.js';
import { cachedLimits, resolveCpuLimit, resolveMemoryLimit, type Probe, type ProbeOptions } from './probe.js';

const CPUACCT_DIRS = ['cpuacct', 'cpu,cpuacct', 'cpuacct,cpu'];
const CPU_DIRS = ['cpu', 'cpu,cpuacct', 'cpuacct,cpu'];
const CPUSET_FILES = ['cpuset/cpuset.effective_cpus', 'cpuset/cpuset.cpus'];

export function isCgroupV1(root: string): boolean {
  return findFile(root, CPUACCT_DIRS.map((d) => `${d}/cpuacct.usage`)) !== undefined;
}

export function createCgroupV1Probe(root: string, options: ProbeOptions): Probe {
  const now = options.now ?? (() => performance.now());
  const usagePath = findFile(root, CPUACCT_DIRS.map((d) => `${d}/cpuacct.usage`));
  if (!usagePath) throw new ProbeError(`${root}: no cpuacct.usage (not a cgroup v1 tree)`);
  const quotaPath = findFile(root, CPU_DIRS.map((d) => `${d}/cpu.cfs_quota_us`));
  const periodPath = findFile(root, CPU_DIRS.map((d) => `${d}/cpu.cfs_period_us`));
  const statPath = findFile(root, CPU_DIRS.map((d) => `${d}/cpu.stat`));
  const memoryDir = join(root, 'memory');
  const hasMemory = findFile(root, ['memory/memory.usage_in_bytes']) !== undefined;
  const limits = cachedLimits(now, () => {
    const quota = quotaPath ? readInteger(quotaPath) : undefined;
    const period = periodPath ? readInteger(periodPath) : undefined;
    let limit: number | undefined;
    if (hasMemory) {
      const raw = readInteger(join(memoryDir, 'memory.limit_in_bytes'));
      limit = raw >= UNLIMITED_BYTES ? undefined : raw;
    }
    return {
      cpuLimitCores: resolveCpuLimit(quota, period, readCpuCount(root, CPUSET_FILES), options.host),
      memoryLimitBytes: resolveMemoryLimit(limit, options.host),
      hasQuota: quota !== undefined && quota > 0,
    };
  });
  return {
    kind: 'cgroup-v1',
    source: root,
    async read(): Promise<ProbeReading> {
      const atMs = now();
      const cpuSeconds = readInteger(usagePath) / 1e9;
      const { cpuLimitCores, memoryLimitBytes, hasQuota } = limits();
      let memoryBytes = 0;
      if (hasMemory) {
        const usage = readInteger(join(memoryDir, 'memory.usage_in_bytes'));
        memoryBytes = Math.max(0, usage - readInactiveFile(join(memoryDir, 'memory.stat'), 'total_inactive_file'));
      }
      const throttle = hasQuota && statPath ? readThrottle(statPath, 'throttled_time', 1e9) : undefined;
      return { atMs, cpuSeconds, cpuLimitCores, memoryBytes, memoryLimitBytes, ...(throttle ? { throttle } : {}) };
    },
  };
}

/** Reclaimable page cache to subtract from usage; 0 when memory.stat lacks it. */
export function readInactiveFile(path: string, key: string): number {
  try {
    return readKeyValue(path, key);
  } catch {
    return 0;
  }
}

/**
 * cpu.stat's bandwidth counters (v1: throttled_time in ns; v2: throttled_usec); undefined when
 * the file lacks them (no quota, an old kernel) or cannot be read: they refine the load, never
 * fail a reading.
 */
export function readThrottle(path: string, timeKey: string, perSecond: number): ThrottleCounters | undefined {
  let values: Map<string, number>;
  try {
    values = parseKeyValues(readText(path));
  } catch {
    return undefined;
  }
  const periods = values.get('nr_periods');
  const throttledPeriods = values.get('nr_throttled');
  const time = values.get(timeKey);
  if (periods === undefined || throttledPeriods === undefined || time === undefined) return undefined;
  return { periods, throttledPeriods, throttledSeconds: time / perSecond };
}
