// Row 6: the agent dies while the API keeps serving. Two real bso-api replicas (fake cgroups the
// test drives) behind a real HAProxy on the rendered config, 40 GET/s through it. Replica 1's
// agent port is made to answer every connection with a reset (what HAProxy sees when the agent
// thread is gone and nothing listens) with an iptables rule, once while the replica is ready and
// once while it is in MAINT. HAProxy's documented behaviour (configuration.txt, agent-check): a
// failed agent connection is not an error, the regular health check decides UP/DOWN, and only
// the agent can undo what it set, so the server keeps the last state and weight the agent gave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuLoadDriver, FakeCgroup } from '../../api/fake-cgroup.js';
import { spawnApi, type SpawnedApi } from '../../../bench/lib/loopback/spawn-api.js';
import { loadSpec } from '../../../bench/lib/loopback/spec-file.js';
import { freePort } from '../../../bench/lib/loopback/replicas.js';
import type { ServerReport } from '../../../haproxy/supervisor/show-stat.js';
import { blockPort, cannotBlockPorts } from './iptables.js';
import { describeFailures, failedRequests, FixedRateLoad } from './load.js';
import { renderLocalConfig, startLocalHAProxy, statColumn, type LocalHAProxy } from './local.js';
import { formatCount, recordFaultRow } from '../fault-table.js';

const BACKEND = 'hello-api';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('6. the agent dies, the API keeps serving: HAProxy keeps the last agent state; traffic continues', { timeout: 150_000, skip: cannotBlockPorts() }, async (t) => {
  let passed = false;
  const figures: string[] = [];
  let lost = 'not measured';
  const dir = mkdtempSync(join(tmpdir(), 'bsofdp-agent-'));
  const trees = [1, 2].map((i) => new FakeCgroup(join(dir, `cgroup${i}`), { version: 1, cpus: 1, memoryLimitBytes: 256 * 2 ** 20 }));
  const loads = trees.map((tree) => new CpuLoadDriver(tree, 1));
  for (const l of loads) l.set(20);
  const apis: SpawnedApi[] = [];
  let haproxy: LocalHAProxy | undefined;
  let load: FixedRateLoad | undefined;
  let unblock: (() => void) | undefined;
  try {
    for (const tree of trees) apis.push(await spawnApi({ BSO_CGROUP_ROOT: tree.root }));
    const spec = loadSpec('examples/hello.yaml');
    spec.spec.haproxy.port = await freePort();
    spec.spec.haproxy.statsPort = await freePort();
    haproxy = await startLocalHAProxy(dir, renderLocalConfig(spec, dir, apis));
    const h = haproxy;
    const replica1 = async (): Promise<ServerReport> => (await h.servers()).find((s) => s.name === 'replica1')!;
    const sessions = async () => Number(statColumn(await h.command('show stat'), BACKEND, 'replica1', 'stot'));
    const agentSays = async () => (await (await fetch(`http://127.0.0.1:${apis[0]!.httpPort}/`)).json()) as { state: string; weight: number };
    const waitFor = async (what: string, ok: (s: ServerReport) => boolean, withinMs = 20_000) => {
      const started = Date.now();
      for (;;) {
        const s = await replica1();
        if (ok(s)) return { server: s, ms: Date.now() - started };
        if (Date.now() - started > withinMs) assert.fail(`${what}: not within ${withinMs} ms; replica1 ${JSON.stringify(s)}`);
        await sleep(100);
      }
    };
    await waitFor('replica1 UP with an agent weight', (s) => s.state === 'UP' && s.agentStatus === 'CHECKED' && s.weight > 0 && s.weight < 100);
    load = new FixedRateLoad({ url: `http://127.0.0.1:${spec.spec.haproxy.port}/`, rate: 40, connections: 10, timeoutMs: 10_000 });
    await sleep(2000);

    // 1. The agent dies while the replica is ready.
    const weightBefore = (await replica1()).weight;
    unblock = blockPort(apis[0]!.agentPort, 'reset');
    const failing = await waitFor('the agent check to fail', (s) => /^L4/.test(s.agentStatus ?? ''), 10_000);
    const sessions1 = await sessions();
    await sleep(6000);
    const during = await replica1();
    const served = (await sessions()) - sessions1;
    assert.equal(during.state, 'UP', 'the health check keeps the replica UP');
    assert.equal(during.checkStatus, 'L7OK');
    assert.equal(during.weight, weightBefore, 'the last weight the agent gave stays');
    assert.ok(served > 0, 'replica1 still takes traffic');
    figures.push(`ready when the agent died: UP (check ${during.checkStatus}, agent ${during.agentStatus} ${failing.ms} ms after), weight ${during.weight} kept, ${served} sessions in 6 s`);

    // 2. Overloaded while its agent cannot say so: HAProxy does not hear maint.
    loads[0]!.set(95);
    await sleep(6000);
    const deaf = await replica1();
    const own = await agentSays();
    assert.equal(own.state, 'maint', 'the agent itself decided maint');
    assert.equal(deaf.state, 'UP', 'HAProxy cannot hear it: still UP');
    figures.push(`overloaded meanwhile: agent says ${own.state}, HAProxy keeps ${deaf.state} weight ${deaf.weight}`);

    // 3. The agent comes back: MAINT.
    unblock();
    const maint = await waitFor('MAINT once the agent answers again', (s) => s.state === 'MAINT', 15_000);
    figures.push(`agent back: MAINT ${maint.ms} ms later`);

    // 4. The agent dies while the replica is in MAINT, then the load goes away: stays MAINT.
    unblock = blockPort(apis[0]!.agentPort, 'reset');
    loads[0]!.set(10);
    await waitFor('the agent check to fail', (s) => /^L4/.test(s.agentStatus ?? ''), 10_000);
    await sleep(8000);
    const stuck = await replica1();
    const ownAgain = await agentSays();
    assert.equal(ownAgain.state, 'ready', 'the agent itself is ready again');
    assert.equal(stuck.state, 'MAINT', 'only the agent can end the MAINT it set');
    unblock();
    const back = await waitFor('UP once the agent answers again', (s) => s.state === 'UP', 15_000);
    figures.push(`MAINT when the agent died: stays MAINT while idle (agent ${stuck.agentStatus}, health check ${stuck.checkStatus ?? 'none in MAINT'}) until the agent answers; UP ${back.ms} ms after`);

    const records = await load.stop();
    load = undefined;
    const failed = failedRequests(records);
    lost = `${failed.length} of ${formatCount(records.length)} requests failed (${describeFailures(records)}); capacity: an overloaded replica kept traffic, an idle one stayed out, while its agent was unreachable`;
    assert.equal(failed.length, 0, describeFailures(records));
    passed = true;
  } finally {
    unblock?.();
    await load?.stop();
    for (const l of loads) l.stop();
    await haproxy?.stop();
    await Promise.all(apis.map((a) => a.kill()));
    rmSync(dir, { recursive: true, force: true });
    for (const f of figures) t.diagnostic(f);
    t.diagnostic(lost);
    recordFaultRow({ row: '6', fault: 'agent port of 1 of 2 replicas closed (RST, as a dead agent thread) while ready and while MAINT; API serving; 40 GET/s', figure: figures.join('; ') || 'not measured', lost, passed });
  }
});
