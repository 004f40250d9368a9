// The supervisor with a real HAProxy on loopback, configs pulled over HTTP from the config
// endpoint, replicas found through DNS (a fake resolver answering tasks.<name>-api), and steady
// load from wrk. 20 config changes: 10 that must never reload (scaling, agent weights, per-server
// maxconn) and 10 reloads, each verified; then configs HAProxy refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Fixture } from '../../bench/lib/loopback/haproxy-fixture.js';
import { Load, type LoadResult } from '../../bench/lib/loopback/load.js';
import { stampedHash } from './config-files.js';
import type { ProcTable } from './show-proc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let f: Fixture;

before(async () => {
  f = await Fixture.start({ replicaServers: 3, replicas: 2 });
  const first = await f.outcomeOf(f.servedHash!, 20_000, 0);
  assert.equal(first.outcome, 'reload', 'the first config replaces the bootstrap config by a reload');
  await f.waitForServers((s) => upCount(s) === 2, 'both replicas UP');
});

after(async () => {
  await f?.close();
});

function upCount(servers: Array<{ state: string }>): number {
  return servers.filter((s) => s.state === 'UP').length;
}

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await f.metrics.registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

/** maxconn of each server with a replica, from show stat's slim column. */
async function serverLimits(): Promise<string[]> {
  const csv = await f.onWorker('show stat');
  const lines = csv.split('\n');
  const columns = lines[0]!.slice(2).split(',');
  const at = (name: string) => columns.indexOf(name);
  return lines.slice(1).map((l) => l.split(',')).filter((c) => c[at('type')] === '2' && c[at('status')] !== 'MAINT (resolution)').map((c) => c[at('slim')]!);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function withSpec(mutate: (s: Fixture['spec']) => void): Fixture['spec'] {
  return withSpecOf(f, mutate);
}

function describeLoad(label: string, result: LoadResult): string {
  return `${label}: ${result.requests} requests, ${result.failed} failed (connect ${result.errors.connect}, read ${result.errors.read}, write ${result.errors.write}, timeout ${result.errors.timeout}, status>=400 ${result.errors.status})`;
}

describe('under steady load', () => {
  test('10 scaling, agent weight and maxconn changes: no reload and no failed request', async (t) => {
    const proc0 = await f.showProc();
    const reloads0 = await counter('bso_haproxy_updates_total', { outcome: 'reload' });
    const updates0 = f.updates.length;
    const keepAlive = Load.start({ url: f.url, connections: 6, delayMs: 5, close: false });
    const perRequest = Load.start({ url: f.url, connections: 2, delayMs: 5, close: true });
    const [r1, r2, r3] = f.replicas as [typeof f.replicas[0], typeof f.replicas[0], typeof f.replicas[0]];
    const weightOf = async (address: string) => (await f.servers()).find((s) => s.address?.startsWith(`${address}:`))?.weight;
    const runtimeChange = async (mutate: (s: Fixture['spec']) => void, limit: string) => {
      const result = await f.outcomeOf(f.serve(withSpec(mutate)));
      assert.equal(result.outcome, 'runtime', result.reason);
      assert.ok((await serverLimits()).every((l) => l === limit), `maxconn ${limit}: ${await serverLimits()}`);
    };
    try {
      await sleep(300);
      // 1. per-server maxconn
      await runtimeChange((s) => { s.spec.haproxy.maxconnPerServer = 50; }, '50');
      // 2. an agent reports load: weight 50
      r1.agentReply = 'ready 50%';
      await waitFor(async () => (await weightOf(r1.address)) === 50, 'weight 50');
      // 3. scale 2 -> 3: DNS fills a slot; the config is the same bytes
      f.setDnsReplicas(3);
      const sameHash = f.serve(withSpec((s) => { s.spec.replicas = 3; }));
      assert.equal(sameHash, f.supervisor.liveHash, 'scaling within the slots renders the same config');
      await f.waitForServers((s) => upCount(s) === 3, '3 replicas UP');
      // 4. maxconn 0 = unlimited
      await runtimeChange((s) => { s.spec.haproxy.maxconnPerServer = 0; }, '');
      // 5. another weight
      r2.agentReply = 'ready 25%';
      await waitFor(async () => (await weightOf(r2.address)) === 25, 'weight 25');
      // 6. an overloaded replica: the agent says maint
      r3.agentReply = 'maint';
      await f.waitForServers((s) => s.find((x) => x.address?.startsWith(`${r3.address}:`))?.state === 'MAINT', 'replica 3 in MAINT');
      // 7. and ready again
      r3.agentReply = 'ready 100%';
      await f.waitForServers((s) => s.find((x) => x.address?.startsWith(`${r3.address}:`))?.state === 'UP', 'replica 3 UP again');
      // 8. scale 3 -> 2: the replica leaves DNS (and would stop after)
      f.setDnsReplicas(2);
      assert.equal(f.serve(withSpec((s) => { s.spec.replicas = 2; })), f.supervisor.liveHash);
      await f.waitForServers((s) => s.length === 2, 'the slot of replica 3 emptied');
      // 9. maxconn again
      await runtimeChange((s) => { s.spec.haproxy.maxconnPerServer = 200; }, '200');
      // 10. full weight back
      r1.agentReply = 'ready 100%';
      r2.agentReply = 'ready 100%';
      await waitFor(async () => (await weightOf(r1.address)) === 100 && (await weightOf(r2.address)) === 100, 'weights 100');
      await sleep(300);
    } finally {
      const a = await keepAlive.stop();
      const b = await perRequest.stop();
      t.diagnostic(describeLoad('keep-alive load', a));
      t.diagnostic(describeLoad('connection-per-request load', b));
      assert.ok(a.requests > 100 && b.requests > 100, 'the load ran');
      assert.equal(a.failed + b.failed, 0, 'no failed request');
    }
    const proc1 = await f.showProc();
    assert.equal(proc1.master.reloads, proc0.master.reloads, 'no reload');
    assert.equal(proc1.workers[0]!.pid, proc0.workers[0]!.pid, 'the same worker serves');
    assert.equal(await counter('bso_haproxy_updates_total', { outcome: 'reload' }), reloads0);
    assert.deepEqual(f.updates.slice(updates0).map((u) => u.outcome), ['runtime', 'runtime', 'runtime']);
  });

  test('10 reloads, each verified; MAINT survives a reload; failed requests counted', async (t) => {
    const keepAlive = Load.start({ url: f.url, connections: 2, delayMs: 0, close: false });
    const perRequest = Load.start({ url: f.url, connections: 4, delayMs: 5, close: true });
    const changes: Array<[string, (s: Fixture['spec']) => void]> = [
      ['retries 3', (s) => { s.spec.haproxy.retries = 3; }],
      ['server timeout 20s', (s) => { s.spec.haproxy.timeouts.server = '20s'; }],
      ['balance roundrobin', (s) => { s.spec.haproxy.balance = 'roundrobin'; }],
      ['fall 4', (s) => { s.spec.healthCheck.fall = 4; }],
      ['client timeout 40s', (s) => { s.spec.haproxy.timeouts.client = '40s'; }],
      ['queue timeout 3s', (s) => { s.spec.haproxy.timeouts.queue = '3s'; }],
      ['rise 3', (s) => { s.spec.healthCheck.rise = 3; }],
      ['balance leastconn', (s) => { s.spec.haproxy.balance = 'leastconn'; }],
      ['retries 1', (s) => { s.spec.haproxy.retries = 1; }],
      ['20 replicas: more than the 16 slots', (s) => { s.spec.replicas = 20; }],
    ];
    const maintAddress = f.replicas[1]!.address;
    try {
      await sleep(300);
      for (const [i, [label, mutate]] of changes.entries()) {
        if (i === 4) {
          // An agent answering "ready" would cancel MAINT by itself; this one only gives a weight.
          f.replicas[1]!.agentReply = '100%';
          await sleep(400);
          const slot = (await f.servers()).find((s) => s.address?.startsWith(`${maintAddress}:`))!.name;
          await f.runtime([`set server hello-api/${slot} state maint`]);
          await f.waitForServers((s) => s.find((x) => x.name === slot)?.state === 'MAINT', 'MAINT set by an operator');
        }
        const before: ProcTable = await f.showProc();
        const hash = f.serve(withSpec(mutate));
        const result = await f.outcomeOf(hash);
        assert.equal(result.outcome, 'reload', `${label}: ${result.error ?? result.reason}`);
        const after: ProcTable = await f.showProc();
        assert.equal(after.master.reloads, before.master.reloads + 1, `${label}: one reload`);
        assert.equal(after.master.failed, 0, label);
        const worker = after.workers[0]!;
        assert.notEqual(worker.pid, before.workers[0]!.pid, `${label}: a new worker`);
        assert.equal(worker.reloads, 0, label);
        assert.equal(stampedHash(await f.onWorker('show info')), hash, `${label}: the new worker runs the new config`);
        if (i === 4) {
          const state = (await f.servers()).find((s) => s.address?.startsWith(`${maintAddress}:`))?.state;
          assert.equal(state, 'MAINT', 'MAINT survived the reload (server-state-file)');
          const slot = (await f.servers()).find((s) => s.address?.startsWith(`${maintAddress}:`))!.name;
          await f.runtime([`set server hello-api/${slot} state ready`]);
          f.replicas[1]!.agentReply = 'ready 100%';
        }
      }
      assert.match(readFileSync(f.supervisor.configFile, 'utf8'), /server-template replica 64 /, 'the slots grew');
      await f.waitForServers((s) => upCount(s) === 2, 'both replicas UP in the grown backend');
      await sleep(300);
    } finally {
      const a = await keepAlive.stop();
      const b = await perRequest.stop();
      t.diagnostic(describeLoad('keep-alive load', a));
      t.diagnostic(describeLoad('connection-per-request load', b));
      assert.ok(a.requests > 100 && b.requests > 100, 'the load ran');
      // New connections are handed from worker to worker without loss: none may fail.
      assert.equal(b.failed, 0, 'no failed request on new connections during the reloads');
      // HAProxy 2.6 closes idle keep-alive connections when a worker stops (2.7 added
      // idle-close-on-response); a client sending on one at that very moment sees it closed.
      // Counted and reported; at most one per connection and reload.
      assert.ok(a.failed <= changes.length * 2, `keep-alive failures bounded by the idle-close race: ${a.failed}`);
    }
    const durations = await f.metrics.registry.getSingleMetric('bso_haproxy_reload_duration_seconds')?.get();
    const reloadCount = durations?.values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
    assert.ok(reloadCount >= 11, `reload durations observed: ${reloadCount}`);
  });
});

describe('configs HAProxy refuses', () => {
  test('an invalid config is rejected by haproxy -c; the old config keeps serving; not retried', async () => {
    const before = await f.showProc();
    const liveBefore = f.supervisor.liveHash;
    const rejectedBefore = await counter('bso_haproxy_updates_total', { outcome: 'rejected' });
    const hash = f.serve(`${f.render()}    no-such-directive 1\n`);
    const result = await f.outcomeOf(hash);
    assert.equal(result.outcome, 'rejected');
    assert.equal(result.stage, 'check');
    assert.match(result.error ?? '', /no-such-directive/);
    assert.equal(f.supervisor.liveHash, liveBefore);
    assert.equal((await f.showProc()).master.reloads, before.master.reloads, 'not even tried');
    assert.equal((await fetch(f.url)).status, 200);
    assert.equal(await counter('bso_haproxy_updates_total', { outcome: 'rejected' }), rejectedBefore + 1);
    assert.equal(await counter('bso_haproxy_failed_reloads_total', { stage: 'check' }), 1);
    await waitFor(async () => f.reports.some((r) => r.rejectedConfigHash === hash && r.lastOutcome === 'rejected' && /no-such-directive/.test(r.lastError ?? '')), 'the status report names the rejected config');
  });

  test('a config whose new port is in use is rejected before any reload; no failed request', async (t) => {
    const blocker = await occupyPort();
    const load = Load.start({ url: f.url, connections: 4, delayMs: 5, close: true });
    try {
      await sleep(300);
      const before = await f.showProc();
      const hash = f.serve(withSpec((s) => { s.spec.haproxy.statsPort = blocker.port; }));
      const result = await f.outcomeOf(hash);
      assert.equal(result.outcome, 'rejected');
      assert.equal(result.stage, 'bind');
      assert.match(result.error ?? '', new RegExp(`127\\.0\\.0\\.1:${blocker.port}: address already in use`));
      const after = await f.showProc();
      assert.equal(after.master.reloads, before.master.reloads, 'HAProxy was not asked to reload');
      assert.equal(after.workers[0]!.pid, before.workers[0]!.pid);
      assert.equal((await fetch(f.url)).status, 200);
      await waitFor(async () => f.reports.some((r) => r.rejectedConfigHash === hash && /^bind: /.test(r.lastError ?? '')), 'reported');
      assert.equal(await counter('bso_haproxy_failed_reloads_total', { stage: 'bind' }), 1);
      // The operator goes back to the config being served: same bytes, a noop.
      const noops = await counter('bso_haproxy_updates_total', { outcome: 'noop' });
      const back = await f.outcomeOf(f.serve(withSpec((s) => { s.spec.haproxy.statsPort = f.statsPort; })));
      assert.equal(back.outcome, 'noop');
      assert.equal(await counter('bso_haproxy_updates_total', { outcome: 'noop' }), noops + 1);
    } finally {
      const result = await load.stop();
      t.diagnostic(describeLoad('load', result));
      await blocker.close();
      assert.equal(result.failed, 0, 'no failed request');
    }
  });

  test('the status report carries the servers and the applied config', async () => {
    await waitFor(async () => {
      const last = f.reports.at(-1);
      return last !== undefined && last.configHash === f.supervisor.liveHash && last.servers.filter((s) => s.state === 'UP').length === 2;
    }, 'a fresh report');
    const report = f.reports.at(-1)!;
    assert.equal(report.haproxy.running, true);
    assert.ok(report.servers.every((s) => s.backend === 'hello-api' && /^replica\d+$/.test(s.name) && s.weight === 100 && s.address));
  });
});

describe('HAProxy dies', () => {
  test('the master is started again on the live config', async () => {
    const live = f.supervisor.liveHash;
    const pid = f.supervisor.haproxy.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => f.supervisor.haproxy.running && f.supervisor.haproxy.pid !== pid, 'a new master');
    await waitFor(async () => (await fetch(f.url)).status === 200, 'serving again');
    // A 200 may still come from the killed master's orphaned worker: wait for the new master's socket.
    let info = '';
    await waitFor(async () => {
      try {
        info = await f.onWorker('show info');
        return true;
      } catch {
        return false;
      }
    }, 'the new master socket');
    assert.equal(stampedHash(info), live, 'on the live config');
    assert.equal(await counter('bso_haproxy_master_restarts_total'), 1);
  });
});

describe('a bind failure found by HAProxy itself (the port check turned off)', () => {
  let g: Fixture;
  before(async () => {
    g = await Fixture.start({ replicaServers: 2, replicas: 2, checkBinds: false });
    await g.outcomeOf(g.servedHash!, 20_000, 0);
    await g.waitForServers((s) => upCount(s) === 2, 'both replicas UP');
  });
  after(async () => {
    await g?.close();
  });

  test('a config that fails only at bind time in HAProxy is rejected; the old worker keeps serving; not retried', async (t) => {
    const blocker = await occupyPort();
    const port = blocker.port;
    const load = Load.start({ url: g.url, connections: 4, delayMs: 5, close: true });
    try {
      await sleep(300);
      const before = await g.showProc();
      const goodFile = readFileSync(g.supervisor.configFile, 'utf8');
      const hash = g.serve(withSpecOf(g, (s) => { s.spec.haproxy.statsPort = port; }));
      const result = await g.outcomeOf(hash);
      assert.equal(result.outcome, 'rejected');
      assert.equal(result.stage, 'reload');
      assert.match(result.error ?? '', /cannot bind|Address already in use/);
      const after = await g.showProc();
      assert.equal(after.master.reloads, before.master.reloads + 1, 'HAProxy tried once');
      assert.ok(after.master.failed > 0);
      assert.equal(after.workers[0]!.pid, before.workers[0]!.pid, 'the old worker still serves');
      assert.equal(readFileSync(g.supervisor.configFile, 'utf8'), goodFile, 'the last good config is back on disk');
      assert.equal((await fetch(g.url)).status, 200);
      // Not retried in a loop: the operator keeps serving it, nothing more happens.
      await sleep(1500);
      assert.equal((await g.showProc()).master.reloads, after.master.reloads, 'no retry');
      assert.equal(g.updates.filter((u) => u.hash === hash).length, 1);
      await waitFor(async () => g.reports.some((r) => r.rejectedConfigHash === hash && /reload/.test(r.lastError ?? '')), 'reported');

      // The next good config reloads fine after the failed one.
      const fixed = g.serve(withSpecOf(g, (s) => { s.spec.haproxy.statsPort = g.statsPort; s.spec.haproxy.retries = 3; }));
      const recovered = await g.outcomeOf(fixed);
      assert.equal(recovered.outcome, 'reload', recovered.error);
      const final = await g.showProc();
      assert.equal(final.master.failed, 0);
      assert.equal(stampedHash(await g.onWorker('show info')), fixed);
    } finally {
      const result = await load.stop();
      t.diagnostic(describeLoad('load', result));
      await blocker.close();
      // HAProxy 2.6 pauses the old listeners while it retries binding: new connections are refused
      // for about a second. Reported, not asserted: the supervisor's own port check avoids this path.
    }
  });
});

async function occupyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((r) => server.close(() => r())) };
}

function withSpecOf(fixture: Fixture, mutate: (s: Fixture['spec']) => void): Fixture['spec'] {
  const spec = structuredClone(fixture.spec);
  mutate(spec);
  return spec;
}
