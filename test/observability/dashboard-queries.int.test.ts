// Every PromQL expression bso ships (the Grafana dashboard's panels and annotations, the alert
// rules, the queries of `bso top` and the chart script) is accepted by a real Prometheus, and
// reads only metrics that exist: the operator's registry, a real bso-api's /metrics, a real
// HAProxy's exporter (with the stats frontend bso renders), or Prometheus's own `up`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FakeCgroup } from '../api/fake-cgroup.js';
import { spawnApi } from '../../bench/lib/loopback/spawn-api.js';
import { OperatorMetrics } from '../../operator/metrics.js';
import { PROMETHEUS_QUERIES as TOP_QUERIES } from '../../cli/commands/top.js';
import { CHART_QUERIES } from '../../scripts/chart/experiment-queries.js';
import { startExporterHAProxy } from './haproxy-exporter.js';
import { dashboardQueries, exposedNamesIn, metricNamesIn, substituteGrafanaVariables, variableMetricNames, type DashboardQuery } from './promql-names.js';
import { startPrometheus, type RunningPrometheus } from './prometheus-server.js';

const ROOT = new URL('../../', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('deploy/grafana/bso-dashboard.json', ROOT), 'utf8')) as Parameters<typeof dashboardQueries>[0] & { panels: Array<{ type: string; title: string; targets?: unknown[] }> };
const rules = parse(readFileSync(new URL('deploy/prometheus/rules/bso-alerts.yml', ROOT), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
const swarmJobs = (parse(readFileSync(new URL('deploy/prometheus/prometheus.swarm.yml', ROOT), 'utf8')) as { scrape_configs: Array<{ job_name: string }> }).scrape_configs.map((c) => c.job_name);

function allQueries(): DashboardQuery[] {
  return [
    ...dashboardQueries(dashboard).map((q) => ({ where: `dashboard ${q.where}`, expr: substituteGrafanaVariables(q.expr) })),
    ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr }))),
    ...Object.entries(TOP_QUERIES).map(([key, build]) => ({ where: `bso top ${key}`, expr: build('hello') })),
    ...Object.entries(CHART_QUERIES).map(([key, build]) => ({ where: `chart ${key}`, expr: build('hello') })),
    ...docsQueries(),
  ];
}

/** The ```promql blocks of docs/observability.md: expressions separated by blank lines, # comments dropped. */
function docsQueries(): DashboardQuery[] {
  const docs = readFileSync(new URL('docs/observability.md', ROOT), 'utf8');
  const blocks = [...docs.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length > 0, 'docs/observability.md has promql examples');
  return blocks.flatMap((block) => block.split(/\n\s*\n/))
    .map((part) => part.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n').trim())
    .filter(Boolean)
    .map((expr) => ({ where: 'docs/observability.md', expr }));
}

let known: Set<string>;
let prometheus: RunningPrometheus;
const cleanups: Array<() => Promise<void> | void> = [];

before(async () => {
  const operator = new OperatorMetrics();
  known = exposedNamesIn(await operator.registry.metrics());
  for (const metric of await operator.registry.getMetricsAsJSON()) {
    known.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(`${metric.name}${s}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bso-obs-names-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const tree = new FakeCgroup(dir, { version: 2, cpus: 1 });
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root });
  cleanups.push(async () => { await api.kill(); });
  await fetch(`http://127.0.0.1:${api.httpPort}/`);
  for (const name of exposedNamesIn(await (await fetch(`http://127.0.0.1:${api.httpPort}/metrics`)).text())) known.add(name);
  const haproxy = await startExporterHAProxy();
  cleanups.push(() => haproxy.stop());
  for (const name of exposedNamesIn(await (await fetch(haproxy.metricsUrl)).text())) known.add(name);
  known.add('up');
  prometheus = await startPrometheus('global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  cleanups.push(() => prometheus.stop());
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('the dashboard has the panels a person on call wants, each with a query', () => {
  const titles = dashboard.panels.filter((p) => p.type !== 'row').map((p) => p.title);
  for (const wanted of ['Traffic share per replica', 'Replica CPU vs thresholds', 'MAINT events', 'HAProxy config updates by outcome', 'Reconcile errors and retries']) {
    assert.ok(titles.includes(wanted), `no panel "${wanted}" in ${titles.join(', ')}`);
  }
  for (const panel of dashboard.panels) if (panel.type !== 'row') assert.ok((panel.targets ?? []).length > 0, `panel "${panel.title}" has no query`);
  const ids = dashboard.panels.map((p) => (p as unknown as { id: number }).id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
});

test('a real Prometheus accepts every expression', async () => {
  const rejected: string[] = [];
  for (const { where, expr } of allQueries()) {
    await prometheus.query(expr).catch((error: Error) => rejected.push(`${where}: ${error.message}\n  ${expr}`));
  }
  assert.deepEqual(rejected, []);
});

test('every expression reads metrics that exist, on jobs the Prometheus config defines', () => {
  const unknown: string[] = [];
  const queries = allQueries();
  for (const { where, expr } of queries) {
    for (const name of metricNamesIn(expr)) if (!known.has(name)) unknown.push(`${where}: ${name}`);
    for (const match of expr.matchAll(/\bjob\s*=~?\s*"([^"]*)"/g)) {
      for (const job of match[1]!.split('|')) if (!swarmJobs.includes(job)) unknown.push(`${where}: job ${job}`);
    }
  }
  for (const name of variableMetricNames(dashboard)) if (!known.has(name)) unknown.push(`variable: ${name}`);
  assert.deepEqual(unknown, []);
  assert.ok(queries.length >= 25, `only ${queries.length} queries found`);
  // The check can fail: a name that does not exist is caught.
  assert.ok(!known.has('bso_agent_cpu_percent'));
});
