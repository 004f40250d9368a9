// A real haproxy asks a real bso-api (whose cgroup is a fake tree this test drives: the CPU it
// adds is foreign to bso-api's own process) for its state: MAINT when the load crosses maint, UP
// with the weight the agent reports once it falls to ready, and no change while the load stays
// between the thresholds. The weight falls with the foreign load (api/policy/capacity.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuLoadDriver, FakeCgroup } from '../test/api/fake-cgroup.js';
import { readServer, startHAProxy, type ServerStatus } from '../test/api/haproxy.js';
import { spawnApi } from '../bench/lib/loopback/spawn-api.js';

const MAINT_AT = 80;
const READY_AT = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('haproxy follows the agent: MAINT above maint, UP with the expected weight at ready, no change in between', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-agent-haproxy-'));
  const tree = new FakeCgroup(join(dir, 'cgroup'), { version: 1, cpus: 1, memoryLimitBytes: 256 * 2 ** 20 });
  const load = new CpuLoadDriver(tree, 1);
  load.set(10);
  const api = await spawnApi({
    BSO_CGROUP_ROOT: tree.root, BSO_MAINT_AT: String(MAINT_AT), BSO_READY_AT: String(READY_AT),
    BSO_SAMPLE_INTERVAL: '100ms', BSO_SMOOTHING: '500ms', BSO_MIN_MAINT_TIME: '2s', BSO_DRAIN_DELAY: '2s',
  });
  const haproxy = await startHAProxy(dir, (socket) => `
global
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind unix@${join(dir, 'fe.sock')}
  default_backend be
backend be
  option httpchk GET /healthz
  server s1 127.0.0.1:${api.httpPort} weight 100 check inter 500ms agent-check agent-port ${api.agentPort} agent-inter 200ms
`);
  t.after(async () => {
    load.stop();
    await haproxy.stop();
    await api.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = () => readServer(haproxy, 'be', 's1');
  const log: string[] = [];
  const waitFor = async (what: string, ok: (s: ServerStatus) => boolean, withinMs = 15_000, before?: () => Promise<void>) => {
    const started = Date.now();
    let last: ServerStatus | undefined;
    while (Date.now() - started < withinMs) {
      await before?.();
      last = await server();
      if (ok(last)) {
        log.push(`${what}: ${last.status} weight ${last.weight} after ${Date.now() - started} ms`);
        return last;
      }
      await sleep(50);
    }
    assert.fail(`${what}: not reached within ${withinMs} ms; last ${JSON.stringify(last)}\n${api.output()}`);
  };
  /** Polls for a while and returns every distinct status seen. */
  const holdFor = async (ms: number) => {
    const seen = new Set<string>();
    const weights: number[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const s = await server();
      seen.add(s.status);
      weights.push(s.weight);
      await sleep(50);
    }
    return { seen: [...seen], weights };
  };
  /** The weight the agent reports now (its GET /). */
  const agentWeight = async () => ((await (await fetch(`http://127.0.0.1:${api.httpPort}/`)).json()) as { weight: number }).weight;
  /** HAProxy's weight once it equals the agent's (which moves a little sample to sample). */
  const applied = async (what: string) => {
    let agent = 0;
    const s = await waitFor(what, (x) => x.status === 'UP' && Math.abs(x.weight - agent) <= 2, 15_000, async () => { agent = await agentWeight(); });
    return s.weight;
  };

  // Idle-ish: UP with the weight the agent reports, which is high (10 % foreign CPU: 0.9^6 ~ 53 %).
  const idleWeight = await applied('load 10%');
  assert.ok(idleWeight >= 40, `weight ${idleWeight} at 10 % foreign CPU`);

  // Above maint: MAINT, forced by the agent (srv_admin_state bit 0x01), weight 0 in show stat.
  load.set(95);
  const maint = await waitFor('load 95%', (s) => s.status === 'MAINT');
  assert.equal(maint.adminState & 1, 1, 'srv_admin_state has the forced-maint bit');

  // Between the thresholds: stays MAINT.
  load.set(70);
  const between1 = await holdFor(3000);
  assert.deepEqual(between1.seen, ['MAINT'], 'left MAINT while the load was between ready and maint');

  // At ready: UP again, with the agent's weight, lower than at 10 %.
  load.set(30);
  const back = await waitFor('load 30%', (s) => s.status === 'UP');
  assert.equal(back.adminState & 1, 0);
  const weight30 = await applied('weight at 30%');
  assert.ok(weight30 < idleWeight, `weight ${weight30} at 30 % is not below ${idleWeight} at 10 %`);

  // Between the thresholds again, now from below: stays UP, with a low weight.
  load.set(70);
  const between2 = await holdFor(3000);
  assert.deepEqual(between2.seen, ['UP'], 'entered MAINT while the load was between ready and maint');
  const weight70 = await applied('weight at 70%');
  // 0.3^6 is under 1 %, so 1; the fake load is added by a timer, and on a busy machine a late
  // tick reads as less foreign CPU for a sample (a clean-clone run saw 3): a few percent at most.
  assert.ok(weight70 <= 5, `weight ${weight70} at 70 % foreign CPU (0.3^6 ~ 0 %, at least 1)`);

  // And drain on SIGTERM: HAProxy shows DRAIN before the replica goes away.
  const exited = api.kill('SIGTERM');
  await waitFor('SIGTERM', (s) => s.status.startsWith('DRAIN') && (s.adminState & 8) === 8, 2000);
  assert.equal(await exited, 0);
  console.log(log.join('\n'));
});
