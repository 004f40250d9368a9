// cgroup v1 (one hierarchy per controller, e.g. /sys/fs/cgroup/cpuacct): Docker mounts the
// container's own groups there. CPU: cpuacct.usage (ns) against cpu.cfs_quota_us / period;
// memory: memory.usage_in_bytes minus total_inactive_file (as `docker stats` does) against
// memory.limit_in_bytes.
import { join } from 'node:path';
import type { ProbeReading } from '../policy/load.js';
import { findFile, ProbeError, readCpuCount, readInteger, readKeyValue, UNLIMITED_BYTES } from './cgroup-files.js';
import { resolveCpuLimit, resolveMemoryLimit, type Probe, type ProbeOptions } from './probe.js';

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
  const memoryDir = join(root, 'memory');
  const hasMemory = findFile(root, ['memory/memory.usage_in_bytes']) !== undefined;

  return {
    kind: 'cgroup-v1',
    source: root,
    async read(): Promise<ProbeReading> {
      const atMs = now();
      const cpuSeconds = readInteger(usagePath) / 1e9;
      const quota = quotaPath ? readInteger(quotaPath) : undefined;
      const period = periodPath ? readInteger(periodPath) : undefined;
      const cpuLimitCores = resolveCpuLimit(quota, period, readCpuCount(root, CPUSET_FILES), options.host);
      let memoryBytes = 0;
      let limit: number | undefined;
      if (hasMemory) {
        const usage = readInteger(join(memoryDir, 'memory.usage_in_bytes'));
        memoryBytes = Math.max(0, usage - readInactiveFile(join(memoryDir, 'memory.stat'), 'total_inactive_file'));
        const raw = readInteger(join(memoryDir, 'memory.limit_in_bytes'));
        limit = raw >= UNLIMITED_BYTES ? undefined : raw;
      }
      return { atMs, cpuSeconds, cpuLimitCores, memoryBytes, memoryLimitBytes: resolveMemoryLimit(limit, options.host) };
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
