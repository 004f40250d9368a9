// The three kinds of /metrics bso has, checked with Debian's Prometheus tools: a real Prometheus
// scrapes a real bso-api (its cgroup a fake tree this test drives) and its HTTP API shows the
// agent's CPU ratio and state, including a change to MAINT; `promtool check metrics` accepts the
// bso-api output, the operator's registry and HAProxy's built-in exporter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuLoadDriver, FakeCgroup } from '../api/fake-cgroup.js';
import { spawnApi } from '../../bench/lib/loopback/spawn-api.js';
import { OperatorMetrics } from '../../operator/metrics.js';
import { drawExperiment } from '../../scripts/chart-experiment.js';
import { startExporterHAProxy } from './haproxy-exporter.js';
import { eventually, runPromtool, startPrometheus } from './prometheus-server.js';

/** HAProxy 2.6's exporter names one counter without _total; nothing bso renders can change it. */
const UPSTREAM_LINT = [/^haproxy_process_failed_resolutions counter metrics should have "_total" suffix$/];

function problemsOf(output: string, allowed: RegExp[] = []): string[] {
  return output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !allowed.some((a) => a.test(l)));
}

test('a real Prometheus scrapes a real bso-api: CPU ratio and state arrive, MAINT shows up; the chart script draws it', { timeout: 120_000 }, async (t) => {
  const started = Date.now() / 1000;
  const dir = mkdtempSync(join(tmpdir(), 'bso-obs-api-'));
  const tree = new FakeCgroup(join(dir, 'cgroup'), { version: 2, cpus: 1, memoryLimitBytes: 256 * 2 ** 20 });
  const load = new CpuLoadDriver(tree, 1);
  load.set(40);
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root, BSO_SAMPLE_INTERVAL: '100ms', BSO_SMOOTHING: '300ms', BSO_MIN_MAINT_TIME: '1s' });
  const prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: bso-api
    static_configs:
      - targets: ['127.0.0.1:${api.httpPort}']
        labels: { balancedservice: hello }
`);
  let flowing = true;
  const traffic = (async () => {
    while (flowing) {
      await fetch(`http://127.0.0.1:${api.httpPort}/`).then((r) => r.text(), () => undefined);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  t.after(async () => {
    flowing = false;
    await traffic;
    load.stop();
    await prometheus.stop();
    await api.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const cpu = await eventually('bso_agent_cpu_ratio near 0.4 in Prometheus', 30_000, async () => {
    const [sample] = await prometheus.query('bso_agent_cpu_ratio{job="bso-api", balancedservice="hello", signal="smoothed"}');
    const value = sample ? Number(sample.value[1]) : NaN;
    return value > 0.25 && value < 0.55 ? sample : undefined;
  });
  assert.equal(cpu.metric['instance'], `127.0.0.1:${api.httpPort}`);
  const ready = await prometheus.query('bso_agent_state{job="bso-api"} == 1');
  assert.deepEqual(ready.map((s) => s.metric['state']), ['ready']);
  const raw = await prometheus.query('bso_agent_cpu_ratio{signal="raw"}');
  assert.equal(raw.length, 1);

  load.set(97);
  await eventually('state maint in Prometheus', 30_000, async () => {
    const states = await prometheus.query('bso_agent_state{job="bso-api"} == 1');
    return states.length === 1 && states[0]!.metric['state'] === 'maint';
  });
  const transitions = await prometheus.query('bso_agent_transitions_total{from="ready", to="maint"}');
  assert.equal(transitions[0]?.value[1], '1');
  const high = await prometheus.query('bso_agent_cpu_ratio{signal="smoothed"}');
  assert.ok(Number(high[0]!.value[1]) >= 0.8, `smoothed CPU ${high[0]?.value[1]} in MAINT`);

  // The chart script reads the same Prometheus: one replica, all the traffic, a MAINT period.
  await new Promise((r) => setTimeout(r, 2000));
  const { svg, data } = await drawExperiment({ prometheus: prometheus.url, name: 'hello', start: started, end: Date.now() / 1000, stepSeconds: 1, window: '5s' });
  assert.equal(data.cpu.length, 1);
  assert.equal(data.share.length, 1);
  assert.ok(data.share[0]!.values.some(([, v]) => v === '1'), `share ${JSON.stringify(data.share[0]!.values)}`);
  assert.ok(data.maint[0]!.values.some(([, v]) => v === '1'));
  assert.equal((svg.match(/class="band"/g) ?? []).length, 2, 'the MAINT period shaded in both panels');
  assert.equal((svg.match(/class="series"/g) ?? []).length, 2);
  assert.match(svg, /maint at 80%/);

  const text = await (await fetch(`http://127.0.0.1:${api.httpPort}/metrics`)).text();
  const check = runPromtool(['check', 'metrics'], { input: text });
  assert.deepEqual(problemsOf(check.output), [], 'promtool check metrics on bso-api');
  assert.equal(check.status, 0);
});

test('promtool check metrics accepts the operator\'s /metrics (its registry, with every family set)', async () => {
  const metrics = new OperatorMetrics();
  metrics.reconciles.inc({ result: 'success' });
  metrics.reconcileDuration.observe(0.02);
  metrics.queueDepth.set(0);
  metrics.retries.inc();
  metrics.writes.inc({ kind: 'service', action: 'create' });
  metrics.configUpdates.inc({ balancedservice: 'hello', outcome: 'reload' });
  metrics.desiredReplicas.set({ balancedservice: 'hello' }, 2);
  metrics.readyReplicas.set({ balancedservice: 'hello' }, 1);
  metrics.condition.set({ balancedservice: 'hello', type: 'Ready', status: 'True' }, 1);
  metrics.serversInMaint.set({ balancedservice: 'hello' }, 1);
  metrics.drains.inc({ balancedservice: 'hello' });
  metrics.setServersOf('hello', [{ name: 'replica1', state: 'MAINT', weight: 0 }, { name: 'replica2', state: 'UP', weight: 75 }]);
  const check = runPromtool(['check', 'metrics'], { input: await metrics.registry.metrics() });
  assert.deepEqual(problemsOf(check.output), [], 'promtool check metrics on the operator registry (operator/metrics.ts)');
  assert.equal(check.status, 0);
});

test('promtool check metrics accepts HAProxy\'s exporter, but for one upstream counter name', { timeout: 30_000 }, async (t) => {
  const haproxy = await startExporterHAProxy();
  t.after(() => haproxy.stop());
  const text = await (await fetch(haproxy.metricsUrl)).text();
  assert.match(text, /^haproxy_server_status\{proxy="hello-api",server="replica1",state="UP"\} /m);
  const check = runPromtool(['check', 'metrics'], { input: text });
  assert.deepEqual(problemsOf(check.output, UPSTREAM_LINT), [], 'promtool check metrics on HAProxy\'s exporter');
});
