import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCgroup, type FakeCgroupOptions } from '../../test/api/fake-cgroup.js';
import { computeCpuRatio, computeMemoryRatio, computeThrottledRatio } from '../policy/load.js';
import { countCpuList, parseKeyValues, ProbeError } from './cgroup-files.js';
import { parseCpuMax } from './cgroup-v2.js';
import { createProbe } from './create-probe.js';
import { LIMITS_REFRESH_MS, type HostFacts } from './probe.js';

const HOST: HostFacts = { cpuCount: 8, memoryTotalBytes: 16 * 2 ** 30 };
const MiB = 2 ** 20;

function withTree(options: FakeCgroupOptions, body: (tree: FakeCgroup, clock: { ms: number }) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bso-cgroup-'));
    try {
      await body(new FakeCgroup(dir, options), { ms: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Two readings 1 s apart with `cpuSeconds` used in between. */
async function measure(tree: FakeCgroup, clock: { ms: number }, cpuSeconds: number) {
  const probe = createProbe(tree.root, { host: HOST, now: () => clock.ms });
  const first = await probe.read();
  clock.ms += 1000;
  tree.addCpuSeconds(cpuSeconds);
  const second = await probe.read();
  return { probe, first, second, cpu: computeCpuRatio(first, second), memory: computeMemoryRatio(second) };
}

const CASES: Array<{ name: string; options: FakeCgroupOptions; used: number; cores: number; cpu: number }> = [
  { name: 'v1 with a quota of 0.5 CPU', options: { version: 1, cpus: 0.5 }, used: 0.4, cores: 0.5, cpu: 0.8 },
  { name: 'v1 combined cpu,cpuacct with a quota of 2 CPUs', options: { version: 1, cpus: 2, v1Layout: 'combined' }, used: 1, cores: 2, cpu: 0.5 },
  { name: 'v1 without quota: relative to its cpuset', options: { version: 1, cpuset: '0-1,4-5' }, used: 1, cores: 4, cpu: 0.25 },
  { name: 'v1 without quota nor cpuset: relative to the host CPUs', options: { version: 1 }, used: 2, cores: 8, cpu: 0.25 },
  { name: 'v1 quota above its cpuset: capped by the cpuset', options: { version: 1, cpus: 4, cpuset: '0-1' }, used: 1, cores: 2, cpu: 0.5 },
  { name: 'v2 with a quota of 0.5 CPU', options: { version: 2, cpus: 0.5 }, used: 0.45, cores: 0.5, cpu: 0.9 },
  { name: 'v2 cpu.max "max": relative to its cpuset', options: { version: 2, cpuset: '0-3' }, used: 3, cores: 4, cpu: 0.75 },
  { name: 'v2 without any limit: relative to the host CPUs', options: { version: 2 }, used: 0.8, cores: 8, cpu: 0.1 },
];

for (const c of CASES) {
  test(`probe: ${c.name}`, withTree(c.options, async (tree, clock) => {
    const { probe, second, cpu } = await measure(tree, clock, c.used);
    assert.equal(probe.kind, c.options.version === 2 ? 'cgroup-v2' : 'cgroup-v1');
    assert.equal(second.cpuLimitCores, c.cores);
    assert.ok(Math.abs(cpu! - c.cpu) < 1e-9, `cpu ${cpu} != ${c.cpu}`);
  }));
}

for (const version of [1, 2] as const) {
  test(`probe: v${version} memory relative to the limit, page cache excluded`, withTree({ version, memoryLimitBytes: 256 * MiB }, async (tree, clock) => {
    tree.setMemory(200 * MiB, 72 * MiB);
    const { second, memory } = await measure(tree, clock, 0);
    assert.equal(second.memoryBytes, 128 * MiB);
    assert.equal(second.memoryLimitBytes, 256 * MiB);
    assert.equal(memory, 0.5);
  }));

  test(`probe: v${version} memory without a limit is relative to the machine`, withTree({ version }, async (tree, clock) => {
    tree.setMemory(4 * 2 ** 30, 0);
    const { memory } = await measure(tree, clock, 0);
    assert.equal(memory, 0.25);
  }));

  test(`probe: v${version} a torn or garbage counter is a ProbeError, and the next good one reads`, withTree({ version, cpus: 1 }, async (tree, clock) => {
    const probe = createProbe(tree.root, { host: HOST, now: () => clock.ms });
    const file = version === 2 ? 'cpu.stat' : 'cpuacct/cpuacct.usage';
    writeFileSync(join(tree.root, file), version === 2 ? 'user_usec 5\n' : 'garbage\n');
    await assert.rejects(probe.read(), ProbeError);
    writeFileSync(join(tree.root, file), '');
    await assert.rejects(probe.read(), ProbeError);
    tree.setCpuSeconds(3);
    assert.equal((await probe.read()).cpuSeconds, 3);
  }));
}

for (const version of [1, 2] as const) {
  test(`probe: v${version} a limit raised at run time (docker update) is seen within ${LIMITS_REFRESH_MS} ms, not re-read on every sample`, withTree({ version, cpus: 1 }, async (tree, clock) => {
    const probe = createProbe(tree.root, { host: HOST, now: () => clock.ms });
    assert.equal((await probe.read()).cpuLimitCores, 1);
    tree.write(version === 2 ? 'cpu.max' : 'cpu/cpu.cfs_quota_us', version === 2 ? '150000 100000\n' : '150000\n');
    clock.ms += LIMITS_REFRESH_MS - 1;
    assert.equal((await probe.read()).cpuLimitCores, 1, 'limits are cached between refreshes');
    clock.ms += 1;
    assert.equal((await probe.read()).cpuLimitCores, 1.5);
  }));

  test(`probe: v${version} CFS throttling counters with a quota, none without`, withTree({ version, cpus: 0.25 }, async (tree, clock) => {
    const probe = createProbe(tree.root, { host: HOST, now: () => clock.ms });
    const first = await probe.read();
    tree.setThrottle(10, 4, 0.3);
    clock.ms += 1000;
    const second = await probe.read();
    assert.deepEqual(second.throttle, { periods: 10, throttledPeriods: 4, throttledSeconds: 0.3 });
    assert.equal(computeThrottledRatio(first, second), 0.4);
  }));

  test(`probe: v${version} without a quota there are no throttling counters`, withTree({ version }, async (tree, clock) => {
    const probe = createProbe(tree.root, { host: HOST, now: () => clock.ms });
    assert.equal((await probe.read()).throttle, undefined);
  }));
}

test('probe: a directory without cgroup files falls back to the host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-empty-'));
  try {
    const probe = createProbe(dir, { host: HOST });
    assert.equal(probe.kind, 'host');
    const reading = await probe.read();
    assert.ok(reading.cpuSeconds > 0 && reading.cpuLimitCores >= 1);
    assert.ok(reading.memoryBytes > 0 && reading.memoryLimitBytes >= reading.memoryBytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cgroup file parsers', () => {
  assert.equal(countCpuList('0-3,8,10-11\n'), 7);
  assert.equal(countCpuList('5'), 1);
  assert.equal(countCpuList(''), undefined);
  assert.equal(countCpuList('3-1'), undefined);
  assert.equal(countCpuList('a-b'), undefined);
  assert.deepEqual(parseCpuMax('max 100000\n', 'cpu.max'), { quotaUs: undefined, periodUs: 100000 });
  assert.deepEqual(parseCpuMax('50000 100000', 'cpu.max'), { quotaUs: 50000, periodUs: 100000 });
  assert.throws(() => parseCpuMax('50000', 'cpu.max'), ProbeError);
  assert.deepEqual([...parseKeyValues('usage_usec 12\nbad line here\nx -3\n')], [['usage_usec', 12], ['x', -3]]);
});
