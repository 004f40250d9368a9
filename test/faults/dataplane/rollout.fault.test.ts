// fault-suite: long (about 3 minutes; every run includes it but `BSO_SKIP_LONG_FAULTS=1 npm run test:all`)
// Row 18: roll out new images under 100 GET/s through HAProxy, on a two-node Swarm
// (scripts/swarm-node.sh: a second dockerd in a network namespace joined as a worker, the images
// loaded into it) with the operator and the real images; the replicas spread over both nodes. A good image: every replica replaced one at a time (new one UP in
// HAProxy before an old one stops, old ones drained through their agent), 0 failed requests,
// `bso rollout status` exits 0. A broken image (exits at start): Swarm rolls it back, bso holds it
// instead of applying it again, the old replicas serve throughout, `bso rollout status` exits 1,
// status Degraded RolloutFailed. Then a good spec again rolls out from there.
// Run under the shared Docker lock: flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults rollout
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerJson, httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { describeFailures, failedRequests, FixedRateLoad, maxLatencyMs, type RequestRecord } from './load.js';
import { bsoFromSource, startOperatorFromSource } from './swarm.js';
import { nodeIdOf, swarmNode, whyNoNetworkNamespaces } from '../cluster/swarm.js';
import { formatCount, recordFaultRow } from '../fault-table.js';
import type { ApiObject } from '../../../operator/api-object.js';

const NAME = 'bsofdp-roll';
const APP_PORT = 18190;
const STATS_PORT = 18514;
const OPERATOR_PORT = 19484;
const RATE = 100;
const REPLICAS = 3;
const GOOD_IMAGE = 'bso-hello-api:bsofdp-rollout-v2';
const BROKEN_IMAGE = 'bso-hello-api:bsofdp-rollout-broken';
const NODE = 'node4';
const NODE_ENGINE = ['-H', `unix:///run/bso-${NODE}/docker.sock`];
const work = mkdtempSync(join(tmpdir(), 'bsofdp-roll-'));
const specFile = join(work, `${NAME}.yaml`);
let operator: OperatorProcess | undefined;
let nodeUp = false;

const skip = await whyNoNetworkNamespaces();
if (skip) console.log(`row 18 skipped: ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writeSpec(image: string): void {
  const text = readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('image: bso-hello-api:latest', `image: ${image}`)
    .replace('replicas: 2', `replicas: ${REPLICAS}`)
    .replace('port: 80\n', `port: ${APP_PORT}\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`);
  assert.ok(text.includes(`image: ${image}`) && text.includes(`replicas: ${REPLICAS}`), 'the example still has the fields this test rewrites');
  writeFileSync(specFile, text);
}

/** Images derived offline from the built one: a new version, and one whose process exits at start. */
async function buildImages(): Promise<void> {
  const build = async (tag: string, dockerfile: string) => {
    const dir = mkdtempSync(join(work, 'image-'));
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    await run('docker', ['build', '-q', '-t', tag, dir]);
  };
  await build(GOOD_IMAGE, 'FROM bso-hello-api:latest\nLABEL org.bso.test=rollout-v2\n');
  await build(BROKEN_IMAGE, 'FROM bso-hello-api:latest\nENTRYPOINT ["/bin/sh", "-c", "echo this version exits at start >&2; exit 3"]\n');
}

async function status(): Promise<ApiObject['status']> {
  const res = await httpGet(`${operator!.url}/v1/balancedservices/${NAME}`);
  return res.status === 200 ? (JSON.parse(res.body) as ApiObject).status : undefined;
}

interface SwarmService { Version: { Index: number }; UpdateStatus?: { State?: string; Message?: string } }
const apiService = async () => (await dockerJson<SwarmService[]>(['service', 'inspect', `${NAME}-api`]))[0]!;

/** The engine that runs each container seen, by container id: [] this machine's, -H for the second node. */
const engines = new Map<string, string[]>();

/** The running containers of the API service on both nodes, by container id (12 hex digits = the replica's hostname). */
async function runningReplicas(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const engine of [[], NODE_ENGINE]) {
    const out = (await run('docker', [...engine, 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${NAME}-api`])).stdout;
    for (const id of out.split('\n').filter(Boolean).map((i) => i.slice(0, 12))) {
      ids.add(id);
      engines.set(id, engine);
    }
  }
  return ids;
}

/** When each replica began to drain (its agent answered `drain` from then on), from its log; undefined: it never did. */
async function drainTimes(containers: Iterable<string>): Promise<Map<string, number | undefined>> {
  const times = new Map<string, number | undefined>();
  for (const id of containers) {
    const logs = await run('docker', [...(engines.get(id) ?? []), 'logs', id], { allowFailure: true });
    const line = (logs.stdout + logs.stderr).split('\n').find((l) => l.includes('agent answers drain'));
    const time = line ? Date.parse((JSON.parse(line) as { time: string }).time) : undefined;
    times.set(id, time);
  }
  return times;
}

/**
 * For each new replica but the last, how long it had answered through HAProxy when the next old
 * replica began to drain (new ones by their first answer, old ones by their drain, in order).
 */
function leadsOverNextOld(firstAnswers: number[], drains: number[]): number[] {
  const news = [...firstAnswers].sort((a, b) => a - b);
  const olds = [...drains].sort((a, b) => a - b);
  return news.slice(0, -1).map((answeredAt, k) => (olds[k + 1] ?? Number.POSITIVE_INFINITY) - answeredAt);
}

before(async () => {
  if (skip) return;
  await buildImages();
  await bsoFromSource(['delete', NAME]);
  nodeUp = true;
  await swarmNode('up', NODE, { BSO_NODE_IMAGES: `bso-hello-api:latest ${GOOD_IMAGE} ${BROKEN_IMAGE}` });
  await run('docker', ['node', 'update', '--availability', 'active', await nodeIdOf(NODE)]);
  operator = startOperatorFromSource(OPERATOR_PORT, join(work, 'operator.log'));
  await waitFor('the operator to be ready (/readyz)', 60_000, () => httpGet(`${operator!.url}/readyz`).then((r) => r.status === 200));
  writeSpec('bso-hello-api:latest');
  const applied = await bsoFromSource(['apply', '-f', specFile, '--wait', '--timeout', '180s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
});

after(async () => {
  if (skip) return;
  if (operator) await bsoFromSource(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  if (nodeUp) await swarmNode('down', NODE).catch((error: Error) => console.log(error.message));
  await run('docker', ['image', 'rm', GOOD_IMAGE, BROKEN_IMAGE], { allowFailure: true });
  console.log(`operator log: ${join(work, 'operator.log')}`);
});

test('18. roll out a new image, then a broken one, under 100 GET/s through HAProxy: 0 failed requests; the broken one stops, Degraded RolloutFailed', { skip, timeout: 600_000 }, async (t) => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  const load = new FixedRateLoad({ url: `http://127.0.0.1:${APP_PORT}/`, rate: RATE, connections: 100, timeoutMs: 15_000 });
  let records: RequestRecord[] = [];
  const phases: Array<{ name: string; from: number; to: number }> = [];
  try {
    await sleep(3000);
    // 1. A new image.
    const original = await runningReplicas();
    assert.equal(original.size, REPLICAS, 'every replica runs before the rollout');
    const onSecondNode = () => [...engines].filter(([, engine]) => engine.length > 0).map(([id]) => id);
    assert.ok(onSecondNode().some((id) => original.has(id)), 'replicas run on both nodes');
    const goodFrom = Date.now();
    writeSpec(GOOD_IMAGE);
    const applyGood = await bsoFromSource(['apply', '-f', specFile, '--operator', operator!.url]);
    assert.equal(applyGood.code, 0, applyGood.stdout + applyGood.stderr);
    const goodStatus = await bsoFromSource(['rollout', 'status', NAME, '--timeout', '240s', '--operator', operator!.url]);
    const goodTo = Date.now();
    phases.push({ name: 'good', from: goodFrom, to: goodTo });
    t.diagnostic(`bso rollout status (good image), exit ${goodStatus.code}:\n${goodStatus.stdout}${goodStatus.stderr}`);
    assert.equal(goodStatus.code, 0, goodStatus.stdout + goodStatus.stderr);
    assert.match(goodStatus.stdout, /rollout complete: 3 of 3 replicas run revision [0-9a-f]{12} and serve/);
    // The last old replica may still be draining (its task is already shut down for Swarm).
    const { value: v2 } = await waitFor('the old replicas to exit', 60_000, async () => {
      const now = await runningReplicas();
      return [...now].some((id) => original.has(id)) ? undefined : now;
    });
    const drains = await drainTimes(original);
    const drained = [...drains.values()].filter((at) => at !== undefined).length;
    const firstAnswers = [...v2].map((id) => load.records.find((r) => r.hostname === id)?.at ?? Number.POSITIVE_INFINITY);
    const leads = leadsOverNextOld(firstAnswers, [...drains.values()].filter((at): at is number => at !== undefined));
    await sleep(3000);
    const servedAfterGood = new Set(load.records.filter((r) => r.at > Date.now() - 2500).map((r) => r.hostname));
    assert.ok([...servedAfterGood].every((h) => h !== undefined && v2.has(h)), `only new replicas answer: ${[...servedAfterGood].join(', ')}`);

    // 2. A broken image: its replicas exit at start.
    const versionBefore = (await apiService()).Version.Index;
    const brokenFrom = Date.now();
    writeSpec(BROKEN_IMAGE);
    const applyBroken = await bsoFromSource(['apply', '-f', specFile, '--operator', operator!.url]);
    assert.equal(applyBroken.code, 0, applyBroken.stdout + applyBroken.stderr);
    const brokenStatus = await bsoFromSource(['rollout', 'status', NAME, '--timeout', '240s', '--operator', operator!.url]);
    const brokenTo = Date.now();
    phases.push({ name: 'broken', from: brokenFrom, to: brokenTo });
    t.diagnostic(`bso rollout status (broken image), exit ${brokenStatus.code}:\n${brokenStatus.stdout}${brokenStatus.stderr}`);
    assert.equal(brokenStatus.code, 1, brokenStatus.stdout + brokenStatus.stderr);
    assert.match(brokenStatus.stdout, /rollout failed: revision [0-9a-f]{12} failed and was stopped; 3 replicas of the previous revision serve/);
    const degraded = (await status())?.conditions.find((c) => c.type === 'Degraded');
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded?.reason, 'RolloutFailed');
    // Held: bso does not apply the failed revision again (no update of the service for 20 s once
    // Swarm's rollback, which writes the service itself, has completed).
    const { value: rolledBack, ms: rollbackMs } = await waitFor('Swarm to complete the rollback', 120_000, async () => {
      const service = await apiService();
      return service.UpdateStatus?.State === 'rollback_completed' ? service : undefined;
    });
    await sleep(20_000);
    const held = await apiService();
    assert.equal(held.Version.Index, rolledBack.Version.Index, `the service was not written again after the rollback (${JSON.stringify(held.UpdateStatus)})`);
    assert.match(held.UpdateStatus?.State ?? '', /^rollback_completed$/);
    const afterBroken = await runningReplicas();
    assert.deepEqual([...afterBroken].sort(), [...v2].sort(), 'the replicas of the good version still run, none was replaced');
    const servedAfterBroken = new Set(load.records.filter((r) => r.at > Date.now() - 2500).map((r) => r.hostname));
    assert.ok([...servedAfterBroken].every((h) => h !== undefined && v2.has(h)), `the good replicas answer: ${[...servedAfterBroken].join(', ')}`);

    // 3. A good spec again rolls out from the held state.
    const backFrom = Date.now();
    writeSpec('bso-hello-api:latest');
    const applyBack = await bsoFromSource(['apply', '-f', specFile, '--operator', operator!.url]);
    assert.equal(applyBack.code, 0, applyBack.stdout + applyBack.stderr);
    const backStatus = await bsoFromSource(['rollout', 'status', NAME, '--timeout', '240s', '--operator', operator!.url]);
    const backTo = Date.now();
    phases.push({ name: 'again', from: backFrom, to: backTo });
    assert.equal(backStatus.code, 0, backStatus.stdout + backStatus.stderr);
    const degradedAfter = (await status())?.conditions.find((c) => c.type === 'Degraded');
    assert.equal(degradedAfter?.status, 'False', JSON.stringify(degradedAfter));
    await sleep(3000);
    records = await load.stop();

    const failed = failedRequests(records);
    const during = (p: { from: number; to: number }) => records.filter((r) => r.at >= p.from && r.at <= p.to);
    const describe = (p: { name: string; from: number; to: number }) => {
      const rs = during(p);
      return `${formatCount(rs.length)} requests, ${failedRequests(rs).length} failed, slowest ${Math.round(maxLatencyMs(rs))} ms`;
    };
    const secs = (p: { from: number; to: number }) => ((p.to - p.from) / 1000).toFixed(1);
    const v2OnSecond = [...v2].filter((id) => onSecondNode().includes(id)).length;
    figure = `2-node Swarm; new image (${REPLICAS} replicas, maxSurge 1, ${v2OnSecond} of them on the second node afterwards): complete in ${secs(phases[0]!)} s (bso rollout status exit 0), ${drained} of ${REPLICAS} old replicas drained through their agent; ` +
      `each new replica answered through HAProxy ${leads.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} before the next old one began to drain; ${describe(phases[0]!)}; ` +
      `broken image (exits at start): bso rollout status said failed after ${secs(phases[1]!)} s (exit 1, Degraded RolloutFailed), Swarm's rollback completed ${(rollbackMs / 1000).toFixed(1)} s later, service version ${versionBefore} -> ${rolledBack.Version.Index} then not written for 20 s, the ${REPLICAS} good replicas kept, ${describe(phases[1]!)}; ` +
      `a good spec again: complete in ${secs(phases[2]!)} s, ${describe(phases[2]!)}`;
    lost = `${failed.length} of ${formatCount(records.length)} requests failed (${describeFailures(records)}); ${load.skipped} not sent (all connections busy)`;
    t.diagnostic(figure);
    t.diagnostic(lost);
    for (const r of failed.slice(0, 10)) t.diagnostic(`failed: ${new Date(r.at).toISOString()} status ${r.status} ${r.error ?? ''} after ${r.ms.toFixed(0)} ms`);
    assert.equal(drained, REPLICAS, 'every old replica drained through its agent before it stopped');
    assert.ok(leads.every((ms) => ms > 0), `each new replica served before the next old one went: leads ${leads.join(', ')} ms`);
    assert.equal(failed.length, 0, `client-visible errors: ${describeFailures(records)}`);
    assert.equal(load.skipped, 0, 'the load held its rate');
    passed = true;
  } finally {
    if (records.length === 0) records = await load.stop();
    recordFaultRow({ row: '18', fault: `roll out a new image, then a broken one (exits at start), then a good one again, under ${RATE} GET/s through HAProxy (${REPLICAS} replicas spread over a 2-node Swarm)`, figure, lost, passed });
  }
});
