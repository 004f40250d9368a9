// What a process holds, from /proc: open file descriptors and resident memory.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessFootprint { fds: number; rssKiB: number }

/** undefined when the process is gone (an old worker may exit while we look). */
export function footprintOf(pid: number): ProcessFootprint | undefined {
  try {
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { fds, rssKiB };
  } catch {
    return undefined;
  }
}

export const mib = (kib: number) => (kib / 1024).toFixed(1);
