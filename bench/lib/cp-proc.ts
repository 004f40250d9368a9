// CPU time and memory of processes from /proc, for the control-plane scenarios: a process's own
// CPU (utime + stime) over a window, with or without its descendants (HAProxy under its supervisor).
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports utime and stime in USER_HZ, 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

interface ProcStat { pid: number; ppid: number; cpuTicks: number }

/** Fields after the command name (which may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The pid and every live descendant. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  }
  const out: number[] = [];
  const visit = (p: number) => { out.push(p); for (const c of children.get(p) ?? []) visit(c); };
  visit(pid);
  return out;
}

/** CPU seconds used so far by the given processes (exited ones count 0). */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) / TICKS_PER_SECOND;
}

/** Resident memory of a process in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/**
 * Share of one core (percent) each group of processes used over `windowMs`. Groups are given as
 * functions so a tree (a supervisor and its HAProxy) is listed at the start and at the end.
 */
export async function measureIdleCpu(groups: Record<string, () => number[]>, windowMs: number): Promise<Record<string, number>> {
  const start = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids()]));
  const before = Object.fromEntries(Object.entries(start).map(([k, pids]) => [k, cpuSeconds(pids)]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const seconds = (performance.now() - t0) / 1000;
  const out: Record<string, number> = {};
  for (const [k, pids] of Object.entries(groups)) {
    // Processes that exited during the window lose their ticks: count the ones seen at the start too.
    const all = [...new Set([...start[k]!, ...pids()])];
    const beforeAll = before[k]!;
    out[k] = ((cpuSeconds(all) - beforeAll) / seconds) * 100;
  }
  return out;
}

/** The command name of a process (/proc/<pid>/comm), or undefined when it is gone. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** CPU seconds a Docker container has used, from its cgroup (v1 cpuacct or v2 systemd scope); NaN when not found. */
export function containerCpuSeconds(containerId: string): number {
  const candidates: Array<[string, (text: string) => number]> = [
    [`/sys/fs/cgroup/cpuacct/docker/${containerId}/cpuacct.usage`, (t) => Number(t) / 1e9],
    [`/sys/fs/cgroup/cpu,cpuacct/docker/${containerId}/cpuacct.usage`, (t) => Number(t) / 1e9],
    [`/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1]) / 1e6],
    [`/sys/fs/cgroup/docker/${containerId}/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1]) / 1e6],
  ];
  for (const [file, parse] of candidates) {
    try {
      return parse(readFileSync(file, 'utf8'));
    } catch {
      // try the next layout
    }
  }
  return NaN;
}
