// Picks the probe for a cgroup root: v2 when it is a unified tree, v1 when it holds cpuacct,
// else the host (a process run outside any container).
import { availableParallelism, totalmem } from 'node:os';
import { createCgroupV1Probe, isCgroupV1 } from './cgroup-v1.js';
import { createCgroupV2Probe, isCgroupV2 } from './cgroup-v2.js';
import { createHostProbe } from './host-probe.js';
import type { HostFacts, Probe, ProbeOptions } from './probe.js';

export function readHostFacts(): HostFacts {
  return { cpuCount: availableParallelism(), memoryTotalBytes: totalmem() };
}

export function createProbe(cgroupRoot: string, options: ProbeOptions = { host: readHostFacts() }): Probe {
  if (isCgroupV2(cgroupRoot)) return createCgroupV2Probe(cgroupRoot, options);
  if (isCgroupV1(cgroupRoot)) return createCgroupV1Probe(cgroupRoot, options);
  return createHostProbe(options);
}
