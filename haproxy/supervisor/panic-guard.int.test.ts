// The panic guard with a real HAProxy, the supervisor and three replicas whose agents are driven
// into maint at the same instant under steady load (wrk): no request fails, the guard holds the
// two least-loaded replicas (ceil(50% of 3)), reports it and lets go when the agents say ready.
// The control: with panicThreshold 0 the same overload makes HAProxy answer 503.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from '../../bench/lib/loopback/haproxy-fixture.js';
import { Load } from '../../bench/lib/loopback/load.js';
import type { ServerReport } from './show-stat.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let f: Fixture;

before(async () => {
  f = await Fixture.start({ replicaServers: 3, replicas: 3 });
  await f.outcomeOf(f.servedHash!, 20_000, 0);
  await f.waitForServers((s) => upCount(s) === 3, 'three replicas UP');
});

after(async () => {
  await f?.close();
});

const agentChecked = (servers: ServerReport[]) => servers.filter((s) => s.backend === `${f.name}-api`);
const upCount = (servers: ServerReport[]) => agentChecked(servers).filter((s) => s.state === 'UP').length;

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; guard: ${JSON.stringify(f.supervisor.panicGuard)}; log:\n${f.logs.slice(-8).join('\n')}`);
}

async function gauge(name: string): Promise<number> {
  return (await f.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? Number.NaN;
}

test('every agent in maint at once: 0 failed requests, the two least-loaded replicas held, released when load falls', async () => {
  await waitFor(() => f.supervisor.panicGuard.thresholdPercent === 50, 'the threshold of hello.yaml (the default) read from the config');
  const [r1, r2, r3] = f.replicas as [typeof f.replicas[0], typeof f.replicas[0], typeof f.replicas[0]];
  const keepAlive = Load.start({ url: f.url, connections: 4, delayMs: 5, close: false });
  const perRequest = Load.start({ url: f.url, connections: 2, delayMs: 5, close: true });
  let stopped = false;
  try {
    await sleep(500);
    r1.agentReply = 'maint #load=95';
    r2.agentReply = 'maint #load=91';
    r3.agentReply = 'maint #load=99';
    const engagedMs = await waitFor(() => f.supervisor.panicGuard.active && f.supervisor.panicGuard.held.length === 2, 'the guard to hold two servers');
    const held = f.supervisor.panicGuard.held.map((h) => h.address.replace(/:\d+$/, '')).sort();
    assert.deepEqual(held, [r1.address, r2.address].sort(), 'the least-loaded replicas are held');
    const servers = await f.waitForServers((s) => upCount(s) === 2, 'two held servers UP, one MAINT');
    assert.equal(servers.find((s) => s.address?.startsWith(`${r3.address}:`))?.state, 'MAINT');
    assert.ok(agentChecked(servers).filter((s) => s.state === 'UP').every((s) => s.weight <= 10), 'held servers get a low weight');
    await waitFor(() => f.reports.some((r) => r.panicGuard?.active === true && r.panicGuard.held.length === 2), 'a status report with the guard active');
    assert.equal(await gauge('bso_haproxy_panic_guard_active'), 1);
    assert.equal(await gauge('bso_haproxy_panic_guard_held_servers'), 2);
    await sleep(3000); // overload lasts: the guard keeps holding (the agents still say maint)
    assert.equal(f.supervisor.panicGuard.held.length, 2);

    for (const r of [r1, r2, r3]) r.agentReply = 'ready 100%';
    const releasedMs = await waitFor(() => !f.supervisor.panicGuard.active, 'the guard to release');
    await f.waitForServers((s) => upCount(s) === 3 && agentChecked(s).every((x) => x.weight === 100), 'all three UP at full weight');
    assert.equal(await gauge('bso_haproxy_panic_guard_active'), 0);
    assert.ok(await gauge('bso_haproxy_panic_guard_engagements_total') >= 1);
    const [a, b] = await Promise.all([keepAlive.stop(), perRequest.stop()]);
    stopped = true;
    process.stderr.write(`panic guard: engaged after ${engagedMs} ms, released ${releasedMs} ms after the agents said ready; ${a.requests + b.requests} requests, ${a.failed + b.failed} failed\n`);
    assert.ok(a.requests + b.requests > 100, 'the load ran');
    assert.deepEqual([a.errors, b.errors], [{ connect: 0, read: 0, write: 0, timeout: 0, status: 0 }, { connect: 0, read: 0, write: 0, timeout: 0, status: 0 }]);
  } finally {
    for (const r of [r1, r2, r3]) r.agentReply = 'ready 100%';
    if (!stopped) await Promise.all([keepAlive.stop(), perRequest.stop()]).catch(() => {});
  }
});

test('control: with panicThreshold 0 the same overload leaves HAProxy without a server (503)', async () => {
  const spec = structuredClone(f.spec);
  spec.spec.haproxy.panicThreshold = 0;
  const result = await f.outcomeOf(f.serve(spec));
  assert.equal(result.outcome, 'reload', 'the panic backend goes away');
  await f.waitForServers((s) => upCount(s) === 3, 'three replicas UP after the reload');
  try {
    for (const r of f.replicas) r.agentReply = 'maint #load=95';
    await f.waitForServers((s) => agentChecked(s).every((x) => x.state === 'MAINT'), 'every server MAINT');
    const response = await fetch(f.url);
    await response.body?.cancel();
    assert.equal(response.status, 503);
    await sleep(1500);
    assert.equal(f.supervisor.panicGuard.active, false);
    assert.equal(f.supervisor.panicGuard.thresholdPercent, 0);
  } finally {
    for (const r of f.replicas) r.agentReply = 'ready 100%';
  }
});
