// fault-suite: long (about 1-3 minutes; every run includes it but `BSO_SKIP_LONG_FAULTS=1 npm run test:all`)
// Row 10: beyond one machine. A two-node Swarm on this machine (scripts/swarm-node.sh: a second
// dockerd in a network namespace, joined as a worker, bso-hello-api loaded into it), 4 replicas
// spread over both nodes, HAProxy on the manager. Under a steady request stream through HAProxy:
// (a) the second node's link is cut (partition), then healed and the replicas spread again;
// (b) the second node is lost (SIGKILL of its dockerd, containerd, shims and containers).
// Each time: the client-visible errors, and how long until HAProxy no longer sends to the node,
// Swarm calls it down, the replicas run on the manager, and the operator is Ready with 4 UP.
// Skipped (with the reason) only where network namespaces cannot be created. Run with the lock:
//   flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults cluster-
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { bsoSource, startOperatorSource } from './operator.js';
import { failed, RequestStream, summarize } from './load.js';
import {
  forceUpdate, managerNodeId, nodeIdOf, nodeState, swarmNode, tasksOf, updateState, whyNoNetworkNamespaces, type RunningTask,
} from './swarm.js';
import { recordFaultRow } from '../fault-table.js';

const NAME = 'bsofcl-nodes';
const API = `${NAME}-api`;
const NET = `${NAME}-net`;
const NODE = 'node2';
const REPLICAS = 4;
const APP_PORT = 18390;
const STATS_PORT = 18790;
const OPERATOR_PORT = 19490;
const RATE = 20;
const CONVERGE_TIMEOUT_MS = 120_000;
const work = mkdtempSync(join(tmpdir(), 'bsofcl-nodes-'));
const specFile = join(work, `${NAME}.yaml`);

const skip = await whyNoNetworkNamespaces();
if (skip) console.log(`row 10 skipped: ${skip}`);

let operator: OperatorProcess | undefined;
let stream: RequestStream | undefined;
let managerId = '';
let workerId = '';
let nodeUp = false;

interface Server { address: string; state: string }
interface Status { servers?: Server[]; conditions?: Array<{ type: string; status: string }> }
async function statusOf(): Promise<Status> {
  return (JSON.parse((await httpGet(`${operator!.url}/v1/balancedservices/${NAME}`)).body) as { status?: Status }).status ?? {};
}
// unique: a supervisor older than this checkout also reports the panic backend's copies
const upAddresses = (s: Status) => [...new Set((s.servers ?? []).filter((x) => x.state === 'UP').map((x) => x.address))].sort();
const running = (tasks: RunningTask[]) => tasks.filter((t) => t.state === 'running');

function writeSpec(): void {
  const text = readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('replicas: 2', `replicas: ${REPLICAS}`)
    .replace('port: 80\n', `port: ${APP_PORT}\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`);
  writeFileSync(specFile, text);
}

/** Swarm runs every replica, the operator is Ready and HAProxy has exactly the running tasks UP. */
async function converged(where: (t: RunningTask) => boolean): Promise<boolean> {
  const tasks = running(await tasksOf(API, NET));
  if (tasks.length !== REPLICAS || !tasks.every(where)) return false;
  const status = await statusOf();
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return ready && upAddresses(status).join() === tasks.map((t) => t.address).sort().join();
}

interface Timeline { routedAroundMs?: number; nodeDownMs?: number; rescheduledMs?: number; convergedMs?: number }

/** Polls until the service has converged on the manager alone; when each milestone was first seen. */
async function watchRecovery(faultAt: number, lostAddresses: string[], timeline: Timeline): Promise<Timeline> {
  const since = () => Date.now() - faultAt;
  await waitFor('the replicas back on the manager and the operator Ready with all UP', CONVERGE_TIMEOUT_MS, async () => {
    const status = await statusOf();
    if (timeline.routedAroundMs === undefined && !upAddresses(status).some((a) => lostAddresses.includes(a))) timeline.routedAroundMs = since();
    if (timeline.nodeDownMs === undefined && (await nodeState(workerId)) === 'down') timeline.nodeDownMs = since();
    const tasks = running(await tasksOf(API, NET));
    if (timeline.rescheduledMs === undefined && tasks.length === REPLICAS && tasks.every((t) => t.node === managerId)) timeline.rescheduledMs = since();
    if (timeline.rescheduledMs !== undefined && await converged((t) => t.node === managerId)) timeline.convergedMs = since();
    return timeline.convergedMs !== undefined;
  }, 250);
  return timeline;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
const describeTimeline = (t: Timeline) =>
  `HAProxy stopped sending to the node after ${seconds(t.routedAroundMs)}, Swarm marked it down after ${seconds(t.nodeDownMs)}, ` +
  `${REPLICAS} replicas running on the manager after ${seconds(t.rescheduledMs)}, operator Ready with ${REPLICAS} UP after ${seconds(t.convergedMs)}`;

/** HAProxy's 5xx answers since `since` by status and termination state (its log, `option httplog`). */
async function haproxyErrors(since: number): Promise<string> {
  const logs = await run('docker', ['service', 'logs', '--raw', '--since', new Date(since - 1000).toISOString(), `${NAME}-haproxy`], { allowFailure: true });
  const counts = new Map<string, number>();
  for (const line of `${logs.stdout}\n${logs.stderr}`.split('\n')) {
    const m = /\s(5\d\d) \d+ \S+ \S+ (\S{4}) \S+ (\S+) "/.exec(line);
    if (m) counts.set(`${m[1]} ${m[2]}`, (counts.get(`${m[1]} ${m[2]}`) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(', ') || 'none';
}

/** The addresses of the replicas on the second node, once HAProxy has them all UP and one answered. */
async function spreadAcrossNodes(): Promise<string[]> {
  const { value } = await waitFor('replicas on both nodes, all UP in HAProxy, one on the second node answering', 120_000, async () => {
    const tasks = running(await tasksOf(API, NET));
    const onWorker = tasks.filter((t) => t.node === workerId);
    if (onWorker.length === 0 || onWorker.length === REPLICAS || !(await converged(() => true))) return undefined;
    const workerContainers = (await run('bash', ['scripts/swarm-node.sh', 'docker', NODE, 'ps', '-q'])).stdout.split('\n').filter(Boolean);
    const answered = stream!.records.slice(-40).some((r) => r.hostname !== undefined && workerContainers.includes(r.hostname));
    return answered ? onWorker.map((t) => t.address!) : undefined;
  });
  return value;
}

before(async () => {
  if (skip) return;
  const other = await httpGet(`http://127.0.0.1:${OPERATOR_PORT}/healthz`).catch(() => undefined);
  assert.equal(other, undefined, `something answers on :${OPERATOR_PORT}`);
  await bsoSource(['delete', NAME, '--wait', '--timeout', '60s']);
  // only the replicas' image: HAProxy stays on the manager
  nodeUp = true;
  await swarmNode('up', NODE, { BSO_NODE_IMAGES: 'bso-hello-api:latest' });
  managerId = await managerNodeId();
  workerId = await nodeIdOf(NODE);
  await run('docker', ['node', 'update', '--availability', 'active', workerId]);
  operator = startOperatorSource(OPERATOR_PORT, join(work, 'operator.log'));
  await waitFor('the operator to be ready (/readyz)', 30_000, () => httpGet(`${operator!.url}/readyz`).then((r) => r.status === 200));
  writeSpec();
  const applied = await bsoSource(['apply', '-f', specFile, '--wait', '--timeout', '150s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.out);
  stream = new RequestStream(`http://127.0.0.1:${APP_PORT}/`, RATE, 8, 10_000);
});

after(async () => {
  if (skip) return;
  await stream?.stop();
  if (operator) await bsoSource(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  if (nodeUp) await swarmNode('down', NODE).catch((error: Error) => console.log(error.message));
  const left = (await run('docker', ['node', 'ls', '-q'])).stdout.split('\n').filter((id) => id && id === workerId);
  if (left.length) console.log(`the manager still lists ${NODE} (${workerId})`);
  console.log(`operator log: ${join(work, 'operator.log')}`);
});

/**
 * Failures while the cluster converges are bounded, not only counted: the runs of 2026-11-27 and
 * 2026-12-07 lost 1-2 requests (those in flight to the lost node, or sent before HAProxy saw it
 * go); a bound of 5 and 2 % of the requests leaves a margin and still fails on a regression
 * (HAProxy sending to a dead node until Swarm notices: about 12 s at 20 req/s, 100+ requests).
 */
function assertConvergenceLoss(during: Parameters<typeof failed>[0]): void {
  const lost = failed(during).length;
  assert.ok(lost <= 5 && lost <= 0.02 * during.length, `${summarize(during)} until converged (bound: 5, and 2 % of ${during.length})`);
}

test('10a. partition: the second node\'s link cut; HAProxy routes around, Swarm reschedules, the operator converges', { skip, timeout: 300_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  const timeline: Timeline = {};
  try {
    const lostAddresses = await spreadAcrossNodes();
    const faultAt = Date.now();
    figure = 'did not converge';
    await swarmNode('partition', NODE);
    await watchRecovery(faultAt, lostAddresses, timeline);
    await new Promise((r) => setTimeout(r, 5000));
    const during = stream!.between(faultAt, faultAt + timeline.convergedMs!);
    const afterwards = stream!.between(faultAt + timeline.convergedMs!, Date.now() - 1000);
    figure = `${lostAddresses.length} of ${REPLICAS} replicas on the cut node: ${describeTimeline(timeline)}`;
    lost = `until converged: ${summarize(during)}; after: ${summarize(afterwards)}; HAProxy's 5xx (status, termination state): ${await haproxyErrors(faultAt)}`;
    assert.ok(during.length > 0, 'the request stream ran');
    assertConvergenceLoss(during);
    assert.equal(failed(afterwards).length, 0, `errors after convergence: ${summarize(afterwards)}`);
    passed = true;
  } finally {
    if (!passed && figure === 'did not converge') figure = `did not converge: ${describeTimeline(timeline)}`;
    recordFaultRow({ row: '10', fault: `2-node Swarm, ${REPLICAS} replicas spread, ${RATE} GET/s through HAProxy; the worker's link cut (ip link set down)`, figure, lost, passed });
  }
});

test('10b. the link back: the node rejoins, `docker service update --force` spreads the replicas again', { skip, timeout: 240_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  try {
    const healedAt = Date.now();
    await swarmNode('heal', NODE);
    const rejoined = await waitFor('the node ready again', 90_000, async () => (await nodeState(workerId)) === 'ready');
    const respreadAt = Date.now();
    await forceUpdate(API);
    await waitFor('the rolling update to complete with replicas on both nodes', 150_000, async () => {
      if ((await updateState(API)) !== 'completed') return false;
      const tasks = running(await tasksOf(API, NET));
      return tasks.some((t) => t.node === workerId) && await converged(() => true);
    }, 500);
    const respreadMs = Date.now() - respreadAt;
    const records = stream!.between(healedAt, Date.now());
    figure = `node ready ${seconds(rejoined.ms)} after the link came back; replicas spread again and all UP ${seconds(respreadMs)} after docker service update --force (Swarm does not move them back by itself)`;
    lost = summarize(records);
    assert.equal(failed(records).length, 0, lost);
    passed = true;
  } finally {
    recordFaultRow({ row: '10', fault: 'the link back, then docker service update --force on the replicas', figure, lost, passed });
  }
});

test('10c. node loss: SIGKILL of the second node\'s dockerd, containerd and containers; HAProxy routes around, Swarm reschedules, the operator converges', { skip, timeout: 300_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  const timeline: Timeline = {};
  try {
    const lostAddresses = await spreadAcrossNodes();
    const faultAt = Date.now();
    figure = 'did not converge';
    await swarmNode('kill', NODE);
    await watchRecovery(faultAt, lostAddresses, timeline);
    await new Promise((r) => setTimeout(r, 5000));
    const during = stream!.between(faultAt, faultAt + timeline.convergedMs!);
    const afterwards = stream!.between(faultAt + timeline.convergedMs!, Date.now() - 1000);
    figure = `${lostAddresses.length} of ${REPLICAS} replicas on the lost node: ${describeTimeline(timeline)}`;
    lost = `until converged: ${summarize(during)}; after: ${summarize(afterwards)}; HAProxy's 5xx (status, termination state): ${await haproxyErrors(faultAt)}`;
    assert.ok(during.length > 0, 'the request stream ran');
    assertConvergenceLoss(during);
    assert.equal(failed(afterwards).length, 0, `errors after convergence: ${summarize(afterwards)}`);
    passed = true;
  } finally {
    if (!passed && figure === 'did not converge') figure = `did not converge: ${describeTimeline(timeline)}`;
    recordFaultRow({ row: '10', fault: `the worker lost: SIGKILL to its dockerd, containerd, shims and containers (${RATE} GET/s)`, figure, lost, passed });
  }
});
