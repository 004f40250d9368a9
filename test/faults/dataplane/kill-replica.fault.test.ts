// Row 5: SIGKILL one replica's container under steady load on the real Swarm, with the operator,
// the real images and the rendered HAProxy config (retry-on, redispatch). Counts what clients
// saw (target: 0 failed idempotent requests) and how long until Swarm's replacement serves.
// Run under the shared Docker lock: flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults kill-replica
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec } from '../../../bench/lib/loopback/spec-file.js';
import { httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { describeFailures, failedRequests, FixedRateLoad, maxLatencyMs, type RequestRecord } from './load.js';
import { bsoFromSource, replicaOfSlot, startOperatorFromSource, sumMetric, type ReplicaContainer } from './swarm.js';
import { formatCount, recordFaultRow } from '../fault-table.js';

const NAME = 'bsofdp-kill';
const APP_PORT = 18180;
const STATS_PORT = 18504;
const OPERATOR_PORT = 19474;
const RATE = 50;
/** How long HAProxy waits for a connection to a replica (the spec's, defaults filled in). */
const CONNECT_TIMEOUT = loadSpec('examples/hello.yaml').spec.haproxy.timeouts.connect;
const work = mkdtempSync(join(tmpdir(), 'bsofdp-kill-'));
const specFile = join(work, `${NAME}.yaml`);
let operator: OperatorProcess | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writeSpec(): void {
  const text = readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('port: 80\n', `port: ${APP_PORT}\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`);
  writeFileSync(specFile, text);
}

async function hostnameThroughHAProxy(): Promise<string | undefined> {
  const res = await httpGet(`http://127.0.0.1:${APP_PORT}/`);
  return res.status === 200 ? (JSON.parse(res.body) as { hostname: string }).hostname : undefined;
}

before(async () => {
  await bsoFromSource(['delete', NAME]);
  operator = startOperatorFromSource(OPERATOR_PORT, join(work, 'operator.log'));
  await waitFor('the operator to be ready (/readyz)', 60_000, () => httpGet(`${operator!.url}/readyz`).then((r) => r.status === 200));
  writeSpec();
  const applied = await bsoFromSource(['apply', '-f', specFile, '--wait', '--timeout', '180s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
});

after(async () => {
  if (operator) await bsoFromSource(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  const left = (await run('docker', ['service', 'ls', '-q', '--filter', `label=bso.dev/balancedservice=${NAME}`])).stdout.trim();
  if (left !== '') console.log(`services of ${NAME} still there after delete: ${left}`);
  console.log(`operator log: ${join(work, 'operator.log')}`);
});

test('5. SIGKILL a replica container under load: HAProxy routes around it; no failed GET', { timeout: 240_000 }, async (t) => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  try {
    // Both replicas serve through HAProxy before the fault.
    await waitFor('two replicas answering through HAProxy', 60_000, async () => {
      const seen = new Set<string | undefined>();
      for (let i = 0; i < 12; i++) seen.add(await hostnameThroughHAProxy());
      return seen.size === 2 && !seen.has(undefined);
    });
    const victim: ReplicaContainer | undefined = await replicaOfSlot(`${NAME}-api`, `${NAME}-net`, 1);
    assert.ok(victim, 'replica 1 has a running container');
    const metricsBefore = (await httpGet(`http://127.0.0.1:${STATS_PORT}/metrics`)).body;

    const load = new FixedRateLoad({ url: `http://127.0.0.1:${APP_PORT}/`, rate: RATE, connections: 20, timeoutMs: 15_000 });
    let records: RequestRecord[] = [];
    let killedAt = 0;
    let replacement: { at: number; hostname: string } | undefined;
    try {
      await sleep(5000);
      killedAt = Date.now();
      await run('docker', [...victim.engine, 'kill', '--signal', 'KILL', victim.id]);
      // The replacement serves once a hostname that was not there before answers through HAProxy.
      const known = new Set(load.records.map((r) => r.hostname));
      const served = await waitFor('Swarm\'s replacement to serve through HAProxy', 90_000, async () => {
        const fresh = load.records.find((r) => r.at >= killedAt && r.hostname !== undefined && !known.has(r.hostname));
        return fresh ? { at: fresh.at + fresh.ms, hostname: fresh.hostname! } : undefined;
      }, 200);
      replacement = served.value;
      await sleep(5000);
    } finally {
      records = await load.stop();
    }
    const metricsAfter = (await httpGet(`http://127.0.0.1:${STATS_PORT}/metrics`)).body;
    const backend = new RegExp(`proxy="${NAME}-api"`);
    const retries = sumMetric(metricsAfter, 'haproxy_backend_retry_warnings_total', backend) - sumMetric(metricsBefore, 'haproxy_backend_retry_warnings_total', backend);
    const redispatches = sumMetric(metricsAfter, 'haproxy_backend_redispatch_warnings_total', backend) - sumMetric(metricsBefore, 'haproxy_backend_redispatch_warnings_total', backend);
    const failed = failedRequests(records);
    const around = records.filter((r) => r.at >= killedAt - 1000 && r.at <= killedAt + 15_000);
    const replacementS = replacement ? ((replacement.at - killedAt) / 1000).toFixed(1) : '?';
    figure = `${formatCount(records.length)} GETs at ${RATE}/s; replacement served ${replacementS} s after the kill; ` +
      `HAProxy retried ${retries} and redispatched ${redispatches}; ${around.filter((r) => r.ms > 1000).length} GETs took over 1 s (slowest ${(maxLatencyMs(around) / 1000).toFixed(1)} s; timeout connect ${CONNECT_TIMEOUT})`;
    lost = `${failed.length} of ${formatCount(records.length)} requests failed (${describeFailures(records)}); ${load.skipped} not sent (all connections busy)`;
    t.diagnostic(figure);
    t.diagnostic(lost);
    for (const r of failed.slice(0, 10)) t.diagnostic(`failed: +${r.at - killedAt} ms status ${r.status} ${r.error ?? ''} after ${r.ms.toFixed(0)} ms`);
    assert.ok(records.length >= RATE * 10, `the load ran: ${records.length} requests`);
    assert.ok(records.some((r) => r.hostname === victim.hostname && r.at < killedAt), 'the victim took traffic before the kill');
    assert.ok(replacement, 'the replacement served');
    assert.equal(failed.length, 0, `client-visible errors: ${describeFailures(records)}`);
    passed = true;
  } finally {
    recordFaultRow({ row: '5', fault: 'SIGKILL one of 2 replica containers (docker kill) under 50 GET/s through HAProxy, on Swarm', figure, lost, passed });
  }
});
