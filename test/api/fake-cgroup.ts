// A fake cgroup tree (v1 or v2) in a directory, for probe tests and for a real bso-api whose
// BSO_CGROUP_ROOT points at it. Writes are atomic (write + rename), as a reader may look any time.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FakeCgroupOptions {
  version: 1 | 2;
  /** CPU quota in cores; undefined = no quota. */
  cpus?: number;
  /** cpuset list such as `0-1`; undefined = no cpuset file. */
  cpuset?: string;
  /** Memory limit in bytes; undefined = unlimited. */
  memoryLimitBytes?: number;
  /** Layout of v1 CPU controllers: separate dirs, or the combined `cpu,cpuacct`. */
  v1Layout?: 'separate' | 'combined';
}

export class FakeCgroup {
  readonly root: string;
  readonly options: FakeCgroupOptions;
  private cpuSeconds = 0;

  constructor(root: string, options: FakeCgroupOptions) {
    this.root = root;
    this.options = options;
    const period = 100_000;
    const quota = options.cpus === undefined ? undefined : Math.round(options.cpus * period);
    if (options.version === 2) {
      this.write('cgroup.controllers', 'cpuset cpu io memory pids\n');
      this.write('cpu.max', `${quota ?? 'max'} ${period}\n`);
      this.write('memory.max', `${options.memoryLimitBytes ?? 'max'}\n`);
      if (options.cpuset !== undefined) this.write('cpuset.cpus.effective', `${options.cpuset}\n`);
    } else {
      const combined = options.v1Layout === 'combined';
      this.write(`${combined ? 'cpu,cpuacct' : 'cpu'}/cpu.cfs_quota_us`, `${quota ?? -1}\n`);
      this.write(`${combined ? 'cpu,cpuacct' : 'cpu'}/cpu.cfs_period_us`, `${period}\n`);
      this.write('memory/memory.limit_in_bytes', `${options.memoryLimitBytes ?? '9223372036854771712'}\n`);
      if (options.cpuset !== undefined) this.write('cpuset/cpuset.cpus', `${options.cpuset}\n`);
    }
    this.setCpuSeconds(0);
    this.setThrottle(0, 0, 0);
    this.setMemory(0, 0);
  }

  /** Cumulative CPU time used by the "container". */
  setCpuSeconds(seconds: number): void {
    this.cpuSeconds = seconds;
    if (this.options.version === 2) this.writeV2CpuStat();
    else {
      const dir = this.options.v1Layout === 'combined' ? 'cpu,cpuacct' : 'cpuacct';
      this.write(`${dir}/cpuacct.usage`, `${Math.round(seconds * 1e9)}\n`);
    }
  }

  /** Cumulative CFS bandwidth counters (cpu.stat): periods, throttled periods, throttled seconds. */
  setThrottle(periods: number, throttledPeriods: number, throttledSeconds: number): void {
    this.throttle = { periods, throttledPeriods, throttledSeconds };
    if (this.options.version === 2) this.writeV2CpuStat();
    else {
      const dir = this.options.v1Layout === 'combined' ? 'cpu,cpuacct' : 'cpu';
      this.write(`${dir}/cpu.stat`, `nr_periods ${periods}\nnr_throttled ${throttledPeriods}\nthrottled_time ${Math.round(throttledSeconds * 1e9)}\n`);
    }
  }

  private throttle = { periods: 0, throttledPeriods: 0, throttledSeconds: 0 };

  private writeV2CpuStat(): void {
    const usec = Math.round(this.cpuSeconds * 1e6);
    const t = this.throttle;
    this.write('cpu.stat', `usage_usec ${usec}\nuser_usec ${Math.round(usec * 0.8)}\nsystem_usec ${Math.round(usec * 0.2)}\nnr_periods ${t.periods}\nnr_throttled ${t.throttledPeriods}\nthrottled_usec ${Math.round(t.throttledSeconds * 1e6)}\n`);
  }

  addCpuSeconds(seconds: number): void {
    this.setCpuSeconds(this.cpuSeconds + seconds);
  }

  get cpuSecondsUsed(): number {
    return this.cpuSeconds;
  }

  /** Memory charged to the group and the reclaimable part of it (inactive file pages). */
  setMemory(usageBytes: number, inactiveFileBytes: number): void {
    if (this.options.version === 2) {
      this.write('memory.current', `${usageBytes}\n`);
      this.write('memory.stat', `anon ${usageBytes - inactiveFileBytes}\nfile ${inactiveFileBytes}\ninactive_file ${inactiveFileBytes}\nactive_file 0\n`);
    } else {
      this.write('memory/memory.usage_in_bytes', `${usageBytes}\n`);
      this.write('memory/memory.stat', `cache ${inactiveFileBytes}\nrss ${usageBytes - inactiveFileBytes}\ninactive_file ${inactiveFileBytes}\ntotal_cache ${inactiveFileBytes}\ntotal_inactive_file ${inactiveFileBytes}\n`);
    }
  }

  write(relative: string, text: string): void {
    const path = join(this.root, relative);
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  }
}

/**
 * Makes a fake cgroup "use" a chosen share of its CPU limit: every tickMs, the CPU counter
 * grows by share x cores x elapsed wall time.
 */
export class CpuLoadDriver {
  private share = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly tree: FakeCgroup, private readonly cores: number, tickMs = 10) {
    this.timer = setInterval(() => this.tick(), tickMs);
  }

  /** Load in percent of the CPU limit, from now on. */
  set(percent: number): void {
    this.tick();
    this.share = percent / 100;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    this.tree.addCpuSeconds((this.share * this.cores * (now - this.last)) / 1000);
    this.last = now;
  }
}
