// Row 7: every replica overloaded at once, on the real Swarm with the operator. stress-ng runs in
// all three replicas at the same time (their agents answer maint) under a steady request stream
// through HAProxy. Target: 0 "no server available" 503s; the Degraded condition shows
// PanicGuard and bso_panic_guard_active is 1 while the stress lasts; both clear after it.
// The images are bso's with this checkout's dist/ on top (compiled to a temp folder, so the
// shared dist/ is not touched): the supervisor's guard and the agent's `#load` are the code
// under test. Run under the shared Docker lock:
//   flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults panic-guard
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { describeFailures, failedRequests, FixedRateLoad } from './load.js';
import { bsoFromSource, replicaOfSlot, startOperatorFromSource, sumMetric } from './swarm.js';
import { formatCount, recordFaultRow } from '../fault-table.js';

const NAME = 'bsopanic-pg';
const REPLICAS = 3;
const APP_PORT = 18280;
const STATS_PORT = 18604;
const OPERATOR_PORT = 19484;
const RATE = 20;
const STRESS_S = 45;
const TAG = `t${process.pid}`;
const IMAGES = { api: `bsopanic-hello-api:${TAG}`, haproxy: `bsopanic-haproxy:${TAG}` };
const work = mkdtempSync(join(tmpdir(), 'bsopanic-pg-'));
const specFile = join(work, `${NAME}.yaml`);
let operator: OperatorProcess | undefined;
let imagesBuilt = false;

interface Condition { type: string; status: string; reason: string; message: string }
interface Status { conditions?: Condition[]; servers?: Array<{ name: string; state: string }> }

async function statusOf(): Promise<{ status?: Status; events?: Array<{ reason: string; message: string }> }> {
  return JSON.parse((await httpGet(`${operator!.url}/v1/balancedservices/${NAME}`)).body) as { status?: Status; events?: Array<{ reason: string; message: string }> };
}
const degraded = (s: { status?: Status }) => s.status?.conditions?.find((c) => c.type === 'Degraded');
async function guardMetric(): Promise<number> {
  return sumMetric((await httpGet(`${operator!.url}/metrics`)).body, 'bso_panic_guard_active', new RegExp(`balancedservice="${NAME}"`));
}

/** bso's images with this checkout's code: dist/ compiled to a temp folder and copied on top. */
async function buildImages(): Promise<void> {
  const context = join(work, 'context');
  const compiled = await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(context, 'dist')], { allowFailure: true });
  assert.equal(compiled.code, 0, `tsc: ${compiled.stdout}${compiled.stderr}`);
  cpSync(join(ROOT, 'bin'), join(context, 'bin'), { recursive: true });
  writeFileSync(join(context, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nCOPY bin /app/bin\nCOPY dist /app/dist\n');
  for (const [base, image] of [['bso-hello-api:latest', IMAGES.api], ['bso-haproxy:latest', IMAGES.haproxy]] as const) {
    await run('docker', ['build', '-q', '--build-arg', `BASE=${base}`, '-t', image, '--label', 'bsopanic=1', context]);
  }
  imagesBuilt = true;
}

function writeSpec(): void {
  const text = readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('image: bso-hello-api:latest', `image: ${IMAGES.api}`)
    .replace('replicas: 2', `replicas: ${REPLICAS}`)
    .replace('interval: 2s', 'interval: 1s')
    .replace('port: 80\n', `port: ${APP_PORT}\n    image: ${IMAGES.haproxy}\n    panicThreshold: 50\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`);
  writeFileSync(specFile, text);
}

before(async () => {
  await bsoFromSource(['delete', NAME]);
  await buildImages();
  operator = startOperatorFromSource(OPERATOR_PORT, join(work, 'operator.log'));
  await waitFor('the operator to be ready (/readyz)', 60_000, () => httpGet(`${operator!.url}/readyz`).then((r) => r.status === 200));
  writeSpec();
  const applied = await bsoFromSource(['apply', '-f', specFile, '--wait', '--timeout', '200s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
});

after(async () => {
  if (operator) await bsoFromSource(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  const left = (await run('docker', ['service', 'ls', '-q', '--filter', `label=bso.dev/balancedservice=${NAME}`])).stdout.trim();
  if (left !== '') console.log(`services of ${NAME} still there after delete: ${left}`);
  // Swarm removes the task containers a little after the services: retry until the images are free.
  if (imagesBuilt) {
    await waitFor('our images removed', 60_000, async () => (await run('docker', ['image', 'rm', IMAGES.api, IMAGES.haproxy], { allowFailure: true })).code === 0
      || (await run('docker', ['image', 'ls', '-q', '--filter', 'label=bsopanic=1', '--filter', `reference=bsopanic-*:${TAG}`])).stdout.trim() === '', 2000)
      .catch((error: Error) => console.log(`images left: ${error.message}`));
  }
  console.log(`operator log: ${join(work, 'operator.log')}`);
  rmSync(join(work, 'context'), { recursive: true, force: true });
});

test('7. stress-ng in every replica at once: the panic guard keeps the least-loaded serving; 0 "no server available" 503s', { timeout: 360_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  let load: FixedRateLoad | undefined;
  try {
    await waitFor('every replica UP', 60_000, async () => (await statusOf()).status?.servers?.filter((s) => s.state === 'UP').length === REPLICAS);
    const replicas = await Promise.all(Array.from({ length: REPLICAS }, (_, i) => replicaOfSlot(`${NAME}-api`, `${NAME}-net`, i + 1)));
    assert.ok(replicas.every((r) => r !== undefined), 'a container per slot');
    load = new FixedRateLoad({ url: `http://127.0.0.1:${APP_PORT}/`, rate: RATE, connections: 16, timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 3000));

    const stressedAt = Date.now();
    const stress = replicas.map((r) => run('docker', ['exec', r!.id, 'stress-ng', '--cpu', '1', '--timeout', `${STRESS_S}s`], { allowFailure: true }));
    const engaged = await waitFor('Degraded PanicGuard and bso_panic_guard_active 1', (STRESS_S - 5) * 1000, async () => {
      const s = await statusOf();
      return degraded(s)?.reason === 'PanicGuard' && (await guardMetric()) === 1 ? s : undefined;
    });
    const engageMs = Date.now() - stressedAt;
    const message = degraded(engaged.value)!.message;
    assert.match(message, /replica\d+/, 'the condition names the held servers');
    await Promise.all(stress);
    const stressEnded = Date.now();
    await waitFor('the guard released: Degraded not PanicGuard and the metric 0', 120_000, async () => {
      const s = await statusOf();
      return degraded(s)?.reason !== 'PanicGuard' && (await guardMetric()) === 0;
    });
    const releaseMs = Date.now() - stressEnded;
    await new Promise((r) => setTimeout(r, 2000));
    const records = await load.stop();
    load = undefined;
    const events = (await statusOf()).events ?? [];
    const noServer = records.filter((r) => r.status === 503);
    const failed = failedRequests(records);
    figure = `guard engaged ${(engageMs / 1000).toFixed(1)} s after stress-ng started in all ${REPLICAS} replicas (${message.replace(/^.*: /, 'held ')}), released ${(releaseMs / 1000).toFixed(1)} s after it ended`;
    lost = `${formatCount(noServer.length)} x 503 of ${formatCount(records.length)} requests; failed: ${describeFailures(records)}`;
    assert.ok(records.length > RATE * STRESS_S * 0.5, `the request stream ran (${records.length})`);
    assert.equal(noServer.length, 0, `503s: ${lost}`);
    assert.deepEqual(failed.map((r) => r.status), [], `failed requests: ${describeFailures(records)}`);
    assert.ok(events.some((e) => e.reason === 'PanicGuardEngaged'), `an engage event: ${JSON.stringify(events.map((e) => e.reason))}`);
    assert.ok(events.some((e) => e.reason === 'PanicGuardReleased'), 'a release event');
    passed = true;
  } finally {
    if (load) await load.stop();
    recordFaultRow({ row: '7', fault: `stress-ng --cpu 1 for ${STRESS_S} s in all ${REPLICAS} replicas at once (every agent answers maint), ${RATE} GET/s through HAProxy`, figure, lost, passed });
  }
});
