// cgroup v2 (one unified tree; inside a container its root is the container's group).
// CPU: cpu.stat usage_usec (and its bandwidth counters nr_periods, nr_throttled,
// throttled_usec) against cpu.max ("max 100000" or "50000 100000"); memory: memory.current minus
// inactive_file (as `docker stats` does) against memory.max. Limits are re-read every
// LIMITS_REFRESH_MS, not on every sample.
import { join } from 'node:path';
import type { ProbeReading } from '../policy/load.js';
import { findFile, parseInteger, parseKeyValues, ProbeError, readCpuCount, readInteger, readText } from './cgroup-files.js';
import { readInactiveFile } from './cgroup-v1.js';
import { cachedLimits, resolveCpuLimit, resolveMemoryLimit, type Probe, type ProbeOptions } from './probe.js';

const CPUSET_FILES = ['cpuset.cpus.effective', 'cpuset.cpus'];

export function isCgroupV2(root: string): boolean {
  return findFile(root, ['cgroup.controllers']) !== undefined && findFile(root, ['cpu.stat']) !== undefined;
}

/** cpu.max: `$MAX $PERIOD`, where $MAX may be `max`. */
export function parseCpuMax(text: string, path: string): { quotaUs: number | undefined; periodUs: number } {
  const [max, period] = text.trim().split(/\s+/);
  if (max === undefined || period === undefined) throw new ProbeError(`${path}: expected "$MAX $PERIOD", got ${JSON.stringify(text.trim().slice(0, 40))}`);
  return { quotaUs: max === 'max' ? undefined : parseInteger(max, path), periodUs: parseInteger(period, path) };
}

export function createCgroupV2Probe(root: string, options: ProbeOptions): Probe {
  const now = options.now ?? (() => performance.now());
  if (!isCgroupV2(root)) throw new ProbeError(`${root}: no cgroup.controllers and cpu.stat (not a cgroup v2 tree)`);
  const cpuMaxPath = findFile(root, ['cpu.max']);
  const hasMemory = findFile(root, ['memory.current']) !== undefined;
  const limits = cachedLimits(now, () => {
    const cpuMax = cpuMaxPath ? parseCpuMax(readText(cpuMaxPath), cpuMaxPath) : undefined;
    let limit: number | undefined;
    if (hasMemory) {
      const maxPath = findFile(root, ['memory.max']);
      const max = maxPath ? readText(maxPath).trim() : 'max';
      limit = max === 'max' ? undefined : parseInteger(max, join(root, 'memory.max'));
    }
    return {
      cpuLimitCores: resolveCpuLimit(cpuMax?.quotaUs, cpuMax?.periodUs, readCpuCount(root, CPUSET_FILES), options.host),
      memoryLimitBytes: resolveMemoryLimit(limit, options.host),
      hasQuota: cpuMax?.quotaUs !== undefined,
    };
  });
  return {
    kind: 'cgroup-v2',
    source: root,
    async read(): Promise<ProbeReading> {
      const atMs = now();
      const statPath = join(root, 'cpu.stat');
      const stat = parseKeyValues(readText(statPath));
      const usage = stat.get('usage_usec');
      if (usage === undefined) throw new ProbeError(`${statPath}: no usage_usec line`);
      const { cpuLimitCores, memoryLimitBytes, hasQuota } = limits();
      let memoryBytes = 0;
      if (hasMemory) {
        const current = readInteger(join(root, 'memory.current'));
        memoryBytes = Math.max(0, current - readInactiveFile(join(root, 'memory.stat'), 'inactive_file'));
      }
      const periods = stat.get('nr_periods');
      const throttledPeriods = stat.get('nr_throttled');
      const throttledUsec = stat.get('throttled_usec');
      const throttle = hasQuota && periods !== undefined && throttledPeriods !== undefined && throttledUsec !== undefined
        ? { periods, throttledPeriods, throttledSeconds: throttledUsec / 1e6 } : undefined;
      return { atMs, cpuSeconds: usage / 1e6, cpuLimitCores, memoryBytes, memoryLimitBytes, ...(throttle ? { throttle } : {}) };
    },
  };
}
