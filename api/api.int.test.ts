// bso-api as a process: its HTTP routes, its /metrics (checked by promtool), a bad environment,
// and a graceful shutdown (agent says drain, in-flight requests finish, exit 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeCgroup } from '../test/api/fake-cgroup.js';
import { askAgent, spawnApi } from '../bench/lib/loopback/spawn-api.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeTree(t: { after: (fn: () => void) => void }): FakeCgroup {
  const dir = mkdtempSync(join(tmpdir(), 'bso-api-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new FakeCgroup(dir, { version: 2, cpus: 0.5, memoryLimitBytes: 256 * 2 ** 20 });
}

test('GET /, /healthz, /work, /sleep, 404, and /metrics that promtool accepts', { timeout: 60_000 }, async (t) => {
  const tree = fakeTree(t);
  tree.setMemory(64 * 2 ** 20, 0);
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root, BSO_SAMPLE_INTERVAL: '50ms', BSO_SMOOTHING: '0s' });
  t.after(() => api.kill());
  const base = `http://127.0.0.1:${api.httpPort}`;
  await sleep(300);

  const root = await (await fetch(`${base}/`)).json() as Record<string, unknown>;
  assert.equal(typeof root['hostname'], 'string');
  assert.equal(root['state'], 'ready');
  assert.equal(root['weight'], 100);
  assert.deepEqual(root['load'], { cpu: 0, foreignCpu: 0, memory: 0.25, throttled: 0, stalled: 0, metric: 0 });
  assert.equal(root['concurrency'], 4, 'before any traffic: twice the floor of 2');
  assert.deepEqual([root['capacity'], root['latencyFactor'], root['serviceTimeMs']], [1, 1, null]);
  assert.ok(Math.abs(Date.parse(String(root['time'])) - Date.now()) < 5000);
  assert.equal((await askAgent(api.agentPort)).line, 'ready 100% maxconn:4\n');

  assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok', draining: false });
  const work = await (await fetch(`${base}/work?ms=20`)).json() as Record<string, number>;
  assert.equal(work['workedMs'], 20);
  assert.equal((await (await fetch(`${base}/work?ms=99999`)).json() as Record<string, number>)['workedMs'], 1000);
  assert.equal((await (await fetch(`${base}/sleep?ms=10`)).json() as Record<string, number>)['sleptMs'], 10);
  assert.equal((await fetch(`${base}/nope`)).status, 404);

  const text = await (await fetch(`${base}/metrics`)).text();
  for (const name of [
    'bso_agent_cpu_ratio{signal="smoothed"}', 'bso_agent_memory_ratio{signal="raw"} 0.25', 'bso_agent_state{state="ready"} 1',
    'bso_agent_weight_ratio 1', 'bso_agent_replies_total{state="ready"} 1', 'bso_agent_transitions_total{from="ready",to="maint"} 0',
    'bso_agent_cpu_limit_cores 0.5', 'bso_agent_info{probe="cgroup-v2",metric="cpu"} 1', 'bso_agent_threshold_ratio{threshold="maint"} 0.8',
    'bso_api_requests_total{route="/work",method="GET",code="200"} 2', 'bso_api_requests_total{route="other",method="GET",code="404"} 1',
    'bso_api_request_duration_seconds_bucket', 'process_resident_memory_bytes{component="api"}', 'nodejs_eventloop_lag_p99_seconds{component="api"}',
  ]) {
    assert.ok(text.includes(name), `/metrics lacks ${name}`);
  }
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (promtool.error) t.diagnostic(`promtool not run: ${promtool.error.message}`);
  else assert.equal(promtool.status, 0, `promtool check metrics:\n${promtool.stdout}${promtool.stderr}`);
});

test('agent state follows the cgroup: maint under load, transitions counted', { timeout: 60_000 }, async (t) => {
  const tree = fakeTree(t);
  // Once maint, it stays maint for a minute (a timer that fires late on a busy machine makes one
  // sample read low; with no minimum it would be ready again before the agent is asked).
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root, BSO_SAMPLE_INTERVAL: '50ms', BSO_SMOOTHING: '0s', BSO_MIN_MAINT_TIME: '1m' });
  t.after(() => api.kill());
  const base = `http://127.0.0.1:${api.httpPort}`;
  // 0.5 CPU limit; 0.45 CPU s per second = 90 %.
  const timer = setInterval(() => tree.addCpuSeconds(0.45 * 0.02), 20);
  t.after(() => clearInterval(timer));
  let state = '';
  for (let i = 0; i < 100 && state !== 'maint'; i++) {
    await sleep(50);
    state = String((await (await fetch(`${base}/`)).json() as Record<string, unknown>)['state']);
  }
  assert.equal(state, 'maint');
  assert.match((await askAgent(api.agentPort)).line, /^maint #load=\d+\n$/);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.ok(text.includes('bso_agent_transitions_total{from="ready",to="maint"} 1'), text);
  assert.match(api.output(), /agent ready -> maint \(load \d+\.\d%\)/);
});

test('SIGTERM: the agent answers drain at once, requests are still served during the drain delay, in-flight ones finish, exit 0', { timeout: 60_000 }, async (t) => {
  const tree = fakeTree(t);
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root, BSO_DRAIN_DELAY: '1s', BSO_SHUTDOWN_TIMEOUT: '5s' });
  t.after(() => api.kill());
  const base = `http://127.0.0.1:${api.httpPort}`;

  const inFlight = fetch(`${base}/sleep?ms=2000`).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
  await sleep(100);
  const signalled = Date.now();
  api.child.kill('SIGTERM');
  await sleep(100);
  assert.equal((await askAgent(api.agentPort)).line, 'drain\n');
  const during = await fetch(`${base}/`);
  assert.equal(during.status, 200, 'a new request during the drain delay was refused');
  assert.equal((await during.json() as Record<string, unknown>)['state'], 'drain');

  const finished = await inFlight;
  assert.deepEqual([finished.status, finished.body['sleptMs']], [200, 2000]);
  assert.equal(await api.exited, 0);
  const took = Date.now() - signalled;
  assert.ok(took >= 1000, `exited ${took} ms after SIGTERM, before the drain delay`);
  assert.match(api.output(), /SIGTERM: agent answers drain[\s\S]*stopped/);
});

test('a bad environment stops bso-api at start with exit code 2 and names the variable', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  for (const [env, pattern] of [
    [{ BSO_MAINT_AT: 'abc' }, /BSO_MAINT_AT="abc": must be an integer from 1 to 100/],
    [{ BSO_READY_AT: '90' }, /BSO_READY_AT="90": must be lower than BSO_MAINT_AT \(80\)/],
    [{ BSO_SMOOTHING: '1 s' }, /BSO_SMOOTHING="1 s": must be a duration/],
    [{ BSO_CGROUP_ROOT: '/does/not/exist' }, /BSO_CGROUP_ROOT="\/does\/not\/exist": is not a directory/],
  ] as const) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env['PATH'] ?? '', PORT: '0', AGENT_PORT: '0', ...env }, encoding: 'utf8', timeout: 20_000,
    });
    assert.equal(result.status, 2, `${JSON.stringify(env)}: exit ${result.status}\n${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.match(result.stderr, /BSO_AGENT_CONFIG/);
  }
});
