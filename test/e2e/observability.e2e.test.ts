// Observability end to end on a real dockerd and Swarm (issue 6): a real Prometheus (Debian's
// binary, deployed with deploy/prometheus/prometheus.stack.yml) finds the operator, both replicas
// and the HAProxy by itself; through its HTTP API we see the operator's reconcile counter, both
// replicas' agent CPU, and after stress-ng in replica 1 its state MAINT and its traffic share
// falling to zero. promtool accepts all three /metrics; every dashboard panel returns data; the
// chart script draws the run (BSO_CHART_OUT=path.svg keeps a copy); `bso top` shows it.
// Run `npm run setup` first; no other bso operator may run (they would fight).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerTop } from '../../cli/commands/top.js';
import { CHART_QUERIES } from '../../scripts/chart/experiment-queries.js';
import { drawExperiment } from '../../scripts/chart-experiment.js';
import { dashboardQueries, substituteGrafanaVariables } from '../observability/promql-names.js';
import { runPromtool } from '../observability/prometheus-server.js';
import { buildPrometheusImage, deployPrometheusStack, gwbridgeGateway, joinNetwork, removePrometheusStack } from '../../scripts/prometheus-stack.js';
import { bso, dockerJson, httpGet, ROOT, run, startOperatorProcess, waitFor, type OperatorProcess } from './support.js';

const NAME = 'obs';
const APP_PORT = 18280;
const STATS_PORT = 18604;
const OPERATOR_PORT = 19664;
const PROMETHEUS_PORT = 19690;
const STACK = 'bso-e2e-prom';
const PROMETHEUS = `http://127.0.0.1:${PROMETHEUS_PORT}`;
const work = mkdtempSync(join(tmpdir(), 'bso-e2e-obs-'));
let operator: OperatorProcess;
let flowing = false;
let traffic: Promise<void> | undefined;
let stressStarted = 0;

/** HAProxy 2.6's exporter names one counter without _total (upstream; bso cannot rename it). */
const UPSTREAM_LINT = /^haproxy_process_failed_resolutions counter metrics should have "_total" suffix$/;
const problemsOf = (output: string, allowed?: RegExp) => output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !(allowed?.test(l)));

interface Sample { metric: Record<string, string>; value: [number, string] }
async function query(expr: string): Promise<Sample[]> {
  const response = await fetch(`${PROMETHEUS}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
async function queryRange(expr: string, seconds: number): Promise<Array<{ metric: Record<string, string>; values: unknown[] }>> {
  const end = Date.now() / 1000;
  const params = new URLSearchParams({ query: expr, start: String(end - seconds), end: String(end), step: '15' });
  const body = (await (await fetch(`${PROMETHEUS}/api/v1/query_range?${params}`, { signal: AbortSignal.timeout(10_000) })).json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; values: unknown[] }> } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
const values = async (expr: string) => new Map((await query(expr)).map((s) => [s.metric['task_slot'] ?? s.metric['instance'] ?? '', Number(s.value[1])]));

function writeSpec(): string {
  const text = readFileSync(join(ROOT, 'examples/hello.yaml'), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('port: 80\n', `port: ${APP_PORT}\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`);
  const file = join(work, `${NAME}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function containerOfSlot(slot: number): Promise<{ id: string; address: string }> {
  const ids = (await run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', `${NAME}-api`])).stdout.split('\n').filter(Boolean);
  const tasks = await dockerJson<Array<{ Slot: number; Status: { State: string; ContainerStatus?: { ContainerID: string } }; NetworksAttachments?: Array<{ Network: { Spec: { Name: string } }; Addresses: string[] }> }>>(['inspect', ...ids]);
  const task = tasks.find((t) => t.Slot === slot && t.Status.State === 'running')!;
  const attachment = task.NetworksAttachments!.find((a) => a.Network.Spec.Name === `${NAME}-net`)!;
  return { id: task.Status.ContainerStatus!.ContainerID, address: attachment.Addresses[0]!.split('/')[0]! };
}

before(async () => {
  const others = await run('pgrep', ['-af', 'bso.js operator'], { allowFailure: true });
  assert.equal(others.stdout.trim(), '', `another bso operator runs; stop it first (two operators would fight):\n${others.stdout}`);
  const specs = (await run('docker', ['config', 'ls', '--filter', 'label=bso.dev/component=spec', '--format', '{{.Name}}'])).stdout.split('\n').filter((n) => n && !n.startsWith(`bso-spec-${NAME}-g`));
  assert.deepEqual(specs, [], 'other BalancedServices exist: this test\'s operator would take them over; delete them first');
  await buildPrometheusImage();
  await bso(['delete', NAME, '--wait', '--timeout', '60s']);
  await removePrometheusStack(STACK);
  operator = startOperatorProcess(OPERATOR_PORT, join(work, 'operator.log'));
  await waitFor('the operator to be ready (/readyz)', 30_000, () => httpGet(`${operator.url}/readyz`).then((r) => r.status === 200));
  const applied = await bso(['apply', '-f', writeSpec(), '--wait', '--timeout', '200s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  await deployPrometheusStack({ stack: STACK, port: PROMETHEUS_PORT, statsPort: STATS_PORT, operatorTarget: `${await gwbridgeGateway()}:${OPERATOR_PORT}` });
  await waitFor('the Prometheus service to exist', 60_000, async () => (await run('docker', ['service', 'inspect', `${STACK}_prometheus`], { allowFailure: true })).code === 0);
  await joinNetwork(STACK, `${NAME}-net`);
  await waitFor('Prometheus to be ready', 120_000, () => httpGet(`${PROMETHEUS}/-/ready`).then((r) => r.status === 200));
  flowing = true;
  traffic = (async () => {
    while (flowing) {
      await httpGet(`http://127.0.0.1:${APP_PORT}/`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
}, { timeout: 420_000 });

after(async () => {
  flowing = false;
  await traffic;
  await removePrometheusStack(STACK);
  await bso(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  await waitFor('the Prometheus volume to be free', 30_000, async () => (await run('docker', ['volume', 'rm', `${STACK}_data`], { allowFailure: true })).code === 0).catch(() => undefined);
  console.log(`operator log and chart: ${work}`);
});

test('1. Prometheus finds the operator, both replicas and the HAProxy by itself; sees reconciles and both replicas\' CPU', { timeout: 180_000 }, async () => {
  const up = await waitFor('every target up', 150_000, async () => {
    const [api, haproxy, op] = await Promise.all([
      query(`up{job="bso-api", balancedservice="${NAME}"} == 1`), query(`up{job="bso-haproxy", balancedservice="${NAME}"} == 1`), query('up{job="bso-operator"} == 1'),
    ]);
    return api.length === 2 && haproxy.length === 1 && op.length === 1 ? { api, haproxy } : undefined;
  });
  console.log(`targets up after ${up.ms} ms: ${up.value.api.map((s) => s.metric['instance']).join(', ')}, HAProxy ${up.value.haproxy[0]!.metric['instance']}`);
  assert.deepEqual(up.value.api.map((s) => s.metric['task_slot']).sort(), ['1', '2']);
  const reconciles = await query('sum(bso_reconcile_total{job="bso-operator"})');
  assert.ok(Number(reconciles[0]?.value[1]) > 0, 'bso_reconcile_total > 0');
  const cpu = await waitFor('CPU of both replicas', 30_000, async () => {
    const found = await values(`bso_agent_cpu_ratio{balancedservice="${NAME}", signal="smoothed"}`);
    return found.size === 2 ? found : undefined;
  });
  for (const [slot, ratio] of cpu.value) assert.ok(ratio >= 0 && ratio < 0.8, `replica ${slot} CPU ${ratio} before the stress`);
  const servers = await query(`haproxy_server_status{balancedservice="${NAME}", proxy="${NAME}-api", state="UP"} == 1`);
  assert.equal(servers.length, 2, 'HAProxy\'s exporter shows both replicas UP');
});

test('2. promtool check metrics passes on the operator, a replica and the HAProxy', { timeout: 60_000 }, async () => {
  const operatorText = (await httpGet(`${operator.url}/metrics`)).body;
  const haproxyText = (await httpGet(`http://127.0.0.1:${STATS_PORT}/metrics`)).body;
  assert.match(haproxyText, /^haproxy_server_status\{/m);
  const replica = await containerOfSlot(1);
  const apiText = (await run('docker', ['exec', replica.id, 'node', '-e', 'fetch("http://127.0.0.1:8080/metrics").then((r) => r.text()).then((t) => process.stdout.write(t))'])).stdout;
  assert.match(apiText, /^bso_agent_cpu_ratio\{signal="smoothed"\} /m);
  assert.deepEqual({
    operator: problemsOf(runPromtool(['check', 'metrics'], { input: operatorText }).output),
    replica: problemsOf(runPromtool(['check', 'metrics'], { input: apiText }).output),
    haproxy: problemsOf(runPromtool(['check', 'metrics'], { input: haproxyText }).output, UPSTREAM_LINT),
  }, { operator: [], replica: [], haproxy: [] });
});

test('3. stress-ng in replica 1: Prometheus sees it MAINT and its traffic share fall to zero; bso top shows it', { timeout: 300_000 }, async () => {
  const share = CHART_QUERIES.share(NAME, '20s');
  await waitFor('both replicas to take traffic', 90_000, async () => {
    const shares = await values(share);
    return shares.size === 2 && [...shares.values()].every((v) => v > 0.1);
  });
  await new Promise((r) => setTimeout(r, 20_000)); // a baseline for the chart (test 5)
  const replica1 = await containerOfSlot(1);
  stressStarted = Date.now() / 1000;
  const stress = run('docker', ['exec', replica1.id, 'stress-ng', '--cpu', '4', '--timeout', '50s'], { allowFailure: true });
  const maint = await waitFor('replica 1 MAINT in Prometheus', 60_000, async () =>
    (await query(`bso_agent_state{balancedservice="${NAME}", task_slot="1", state="maint"} == 1`)).length === 1);
  console.log(`replica 1 MAINT in Prometheus ${maint.ms} ms after stress-ng started`);
  const zero = await waitFor('replica 1\'s traffic share at 0', 60_000, async () => {
    const shares = await values(share);
    return shares.get('1') === 0 && (shares.get('2') ?? 0) > 0.99 ? shares : undefined;
  });
  console.log(`replica 1's share 0 (replica 2 ${zero.value.get('2')}) ${zero.ms} ms after MAINT`);
  const operatorView = await query(`bso_servers_maint{balancedservice="${NAME}"}`);
  assert.equal(operatorView[0]?.value[1], '1', 'the operator counts one server in MAINT');

  const out: string[] = [];
  const err: string[] = [];
  const ctx = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), exitCode: 0, isTTY: false, env: {} };
  const program = new Command('bso').exitOverride();
  registerTop(program, ctx);
  await program.parseAsync(['node', 'bso', 'top', NAME, '--operator', operator.url, '--prometheus', PROMETHEUS]);
  console.log(out.join('\n'));
  assert.equal(ctx.exitCode, 0, err.join('\n'));
  const lines = out.join('\n').split('\n');
  const header = lines.find((l) => l.startsWith('REPLICA'))!.split(/\s{2,}/);
  const row = lines.find((l) => l.includes(` ${replica1.address} `))?.split(/\s{2,}/);
  assert.ok(row, `no row for ${replica1.address} in bso top`);
  assert.equal(row[header.indexOf('STATE')], 'MAINT');
  const cpu = row[header.indexOf('CPU')]!;
  assert.ok(Number(cpu.replace('%', '')) >= 80, `bso top CPU of replica 1: ${cpu}`);
  assert.match(row[header.indexOf('TASK')] ?? '', new RegExp(`^${NAME}-api\\.\\d+$`), 'the task of replica 1');
  await stress;
  await waitFor('replica 1 ready again in Prometheus', 90_000, async () =>
    (await query(`bso_agent_state{balancedservice="${NAME}", task_slot="1", state="ready"} == 1`)).length === 1);
});

test('4. every panel of the Grafana dashboard returns data', { timeout: 120_000 }, async () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/bso-dashboard.json'), 'utf8')) as Parameters<typeof dashboardQueries>[0];
  const byPanel = new Map<string, string[]>();
  for (const q of dashboardQueries(dashboard)) {
    if (!q.where.startsWith('panel')) continue;
    const panel = q.where.replace(/ [A-Z]$/, '');
    byPanel.set(panel, [...(byPanel.get(panel) ?? []), substituteGrafanaVariables(q.expr, { balancedservice: NAME, __rate_interval: '1m' })]);
  }
  const empty: string[] = [];
  for (const [panel, exprs] of byPanel) {
    const results = await Promise.all(exprs.map((e) => queryRange(e, 600)));
    if (results.every((r) => r.length === 0)) empty.push(`${panel}: ${exprs.join(' | ')}`);
  }
  assert.deepEqual(empty, [], 'panels without data');
  assert.ok(byPanel.size >= 15);
});

test('5. the chart script draws the experiment from Prometheus: replica 1 takes traffic again after the stress', { timeout: 150_000 }, async () => {
  assert.ok(stressStarted > 0, 'test 3 ran');
  const share = CHART_QUERIES.share(NAME, '20s');
  await waitFor('both replicas to take traffic again', 90_000, async () => {
    const shares = await values(share);
    return shares.size === 2 && [...shares.values()].every((v) => v > 0.2);
  });
  await new Promise((r) => setTimeout(r, 10_000));
  const { svg, data } = await drawExperiment({ prometheus: PROMETHEUS, name: NAME, start: stressStarted - 30, end: Date.now() / 1000, stepSeconds: 2, window: '20s', title: 'bso: stress-ng in replica 1 (the seed\'s experiment)' });
  const file = join(work, 'experiment.svg');
  writeFileSync(file, svg);
  if (process.env['BSO_CHART_OUT']) copyFileSync(file, process.env['BSO_CHART_OUT']);
  console.log(`chart: ${file}`);
  assert.equal(data.cpu.length, 2);
  assert.equal(data.share.length, 2);
  assert.ok((svg.match(/class="band"/g) ?? []).length >= 2, 'the MAINT period is shaded');
});
