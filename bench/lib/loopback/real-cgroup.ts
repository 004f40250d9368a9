// Test helper: a real cgroup with a CPU quota (a "container" without Docker), v1 or v2, and a
// BSO_CGROUP_ROOT view of it laid out the way Docker mounts a container's /sys/fs/cgroup.
// Needs root and a writable cgroup tree; otherwise createRealCgroup returns why not.
import { existsSync, mkdirSync, readFileSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BASE = '/sys/fs/cgroup';

export interface RealCgroup {
  version: 1 | 2;
  /** What to pass as BSO_CGROUP_ROOT. */
  view: string;
  /** cgroup.procs files to write a pid into to move a process in. */
  procs: string[];
  add(pid: number): void;
  remove(): Promise<void>;
}

export function createRealCgroup(name: string, viewDir: string, limits: { cpus: number; memoryBytes: number }): RealCgroup | string {
  if (process.getuid?.() !== 0) return 'needs root';
  const period = 100_000;
  const quota = Math.round(limits.cpus * period);
  try {
    if (existsSync(join(BASE, 'cgroup.controllers'))) {
      if (!readFileSync(join(BASE, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu')) return 'cgroup v2 without the cpu controller delegated';
      const dir = join(BASE, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'cpu.max'), `${quota} ${period}`);
      if (existsSync(join(dir, 'memory.max'))) writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
      return handle(2, dir, [join(dir, 'cgroup.procs')], [dir]);
    }
    const controllers = ['cpu', 'cpuacct', 'memory'];
    if (!controllers.every((c) => existsSync(join(BASE, c, 'cgroup.procs')))) return 'cgroup v1 without separate cpu, cpuacct and memory hierarchies';
    const dirs = controllers.map((c) => join(BASE, c, name));
    for (const dir of dirs) mkdirSync(dir);
    writeFileSync(join(dirs[0]!, 'cpu.cfs_period_us'), String(period));
    writeFileSync(join(dirs[0]!, 'cpu.cfs_quota_us'), String(quota));
    writeFileSync(join(dirs[2]!, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    mkdirSync(viewDir, { recursive: true });
    controllers.forEach((c, i) => symlinkSync(dirs[i]!, join(viewDir, c)));
    return handle(1, viewDir, dirs.map((d) => join(d, 'cgroup.procs')), dirs);
  } catch (error) {
    return `cannot create a cgroup: ${(error as Error).message}`;
  }
}

function handle(version: 1 | 2, view: string, procs: string[], dirs: string[]): RealCgroup {
  return {
    version,
    view,
    procs,
    add(pid) {
      for (const file of procs) writeFileSync(file, String(pid));
    },
    async remove() {
      // The processes must have exited; the kernel takes a moment to let go of them.
      for (const dir of dirs) {
        for (let attempt = 0; ; attempt++) {
          try {
            rmdirSync(dir);
            break;
          } catch (error) {
            if (attempt >= 50) throw error;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    },
  };
}
