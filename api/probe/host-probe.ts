// Outside any container (no cgroup tree at the root): the whole machine. CPU from the kernel's
// per-CPU times (os.cpus), memory from systeminformation (total minus available).
import { cpus } from 'node:os';
import type { ProbeReading } from '../policy/load.js';
import type { Probe, ProbeOptions } from './probe.js';

type MemoryFacts = { total: number; available: number };

export function createHostProbe(options: ProbeOptions & { readMemory?: () => Promise<MemoryFacts> }): Probe {
  const now = options.now ?? (() => performance.now());
  const readMemory = options.readMemory ?? readSystemMemory;
  return {
    kind: 'host',
    source: '/proc',
    async read(): Promise<ProbeReading> {
      const atMs = now();
      const all = cpus();
      let busyMs = 0;
      for (const cpu of all) busyMs += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
      const memory = await readMemory();
      return {
        atMs,
        cpuSeconds: busyMs / 1000,
        cpuLimitCores: all.length || options.host.cpuCount,
        memoryBytes: Math.max(0, memory.total - memory.available),
        memoryLimitBytes: memory.total || options.host.memoryTotalBytes,
      };
    },
  };
}

async function readSystemMemory(): Promise<MemoryFacts> {
  const si = await import('systeminformation');
  const mem = await si.mem();
  return { total: mem.total, available: mem.available };
}
