// fault-suite: long (about 2 minutes; every run includes it but `BSO_SKIP_LONG_FAULTS=1 npm run test:all`)
// Row 19: no single point of failure in the data plane. A two-node Swarm on this machine
// (scripts/swarm-node.sh), both nodes labelled for HAProxy, a BalancedService with
// spec.haproxy.replicas 2 (one instance per node, ports published on each) and 4 replicas spread
// over both. A client that knows both instances' addresses spreads its GETs over them and retries
// a failed GET on the other one. The node of one instance is lost (SIGKILL of its dockerd,
// containerd, shims and containers): the client loses nothing but what was in flight on the lost
// node; the operator drops the silent instance from status.instances within 15 s.
// Skipped (with the reason) only where network namespaces cannot be created. Run with the lock:
//   flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults haproxy-node-loss
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { bsoSource, startOperatorSource } from './operator.js';
import { FailoverClient, succeeded, type FailoverRecord } from './failover-client.js';
import { managerNodeId, nodeIdOf, swarmNode, whyNoNetworkNamespaces } from './swarm.js';
import { formatCount, recordFaultRow } from '../fault-table.js';

const NAME = 'bsofcl-edge';
const NODE = 'node3';
/** scripts/swarm-node.sh gives nodeN the address 10.213.N.2. */
const NODE_ADDR = '10.213.3.2';
const EDGE_LABEL = 'bso-test-edge';
const REPLICAS = 4;
const APP_PORT = 18391;
const STATS_PORT = 18791;
const OPERATOR_PORT = 19491;
const RATE = 20;
const GONE_BOUND_MS = 15_000;
const work = mkdtempSync(join(tmpdir(), 'bsofcl-edge-'));
const specFile = join(work, `${NAME}.yaml`);

const skip = await whyNoNetworkNamespaces();
if (skip) console.log(`row 19 skipped: ${skip}`);

let operator: OperatorProcess | undefined;
let managerId = '';
let workerId = '';
let nodeUp = false;

interface Instance { name: string; configHash?: string }
interface Status { instances?: Instance[]; conditions?: Array<{ type: string; status: string }> }
async function statusOf(): Promise<Status> {
  return (JSON.parse((await httpGet(`${operator!.url}/v1/balancedservices/${NAME}`)).body) as { status?: Status }).status ?? {};
}
async function events(): Promise<Array<{ reason: string; message: string }>> {
  return (JSON.parse((await httpGet(`${operator!.url}/v1/balancedservices/${NAME}`)).body) as { events?: Array<{ reason: string; message: string }> }).events ?? [];
}

function writeSpec(): void {
  const text = readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('replicas: 2', `replicas: ${REPLICAS}`)
    .replace('    port: 80\n', `    port: ${APP_PORT}\n    replicas: 2\n    nodeLabel: ${EDGE_LABEL}=true\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`);
  assert.ok(text.includes(`nodeLabel: ${EDGE_LABEL}=true`), 'the example still has the HAProxy port this test rewrites');
  writeFileSync(specFile, text);
}

before(async () => {
  if (skip) return;
  await bsoSource(['delete', NAME, '--wait', '--timeout', '60s']);
  nodeUp = true;
  await swarmNode('up', NODE, { BSO_NODE_IMAGES: 'bso-hello-api:latest bso-haproxy:latest' });
  managerId = await managerNodeId();
  workerId = await nodeIdOf(NODE);
  await run('docker', ['node', 'update', '--availability', 'active', workerId]);
  for (const id of [managerId, workerId]) await run('docker', ['node', 'update', '--label-add', `${EDGE_LABEL}=true`, id]);
  // Both instances must reach the operator: at the manager's Swarm address, not the gateway of
  // this machine's docker_gwbridge (which only this machine's containers have).
  const managerAddr = (await run('docker', ['info', '--format', '{{.Swarm.NodeAddr}}'])).stdout.trim();
  operator = startOperatorSource(OPERATOR_PORT, join(work, 'operator.log'), { BSO_ADVERTISE_URL: `http://${managerAddr}:${OPERATOR_PORT}` });
  await waitFor('the operator to be ready (/readyz)', 30_000, () => httpGet(`${operator!.url}/readyz`).then((r) => r.status === 200));
  writeSpec();
  const applied = await bsoSource(['apply', '-f', specFile, '--wait', '--timeout', '180s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.out);
});

after(async () => {
  if (skip) return;
  if (operator) await bsoSource(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  if (nodeUp) await swarmNode('down', NODE).catch((error: Error) => console.log(error.message));
  if (managerId) await run('docker', ['node', 'update', '--label-rm', EDGE_LABEL, managerId], { allowFailure: true });
  console.log(`operator log: ${join(work, 'operator.log')}`);
});

test('19. the node of one of two HAProxy instances lost under load: a client retrying on the other instance loses nothing but what was in flight there; the operator drops the instance within 15 s', { skip, timeout: 360_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  const addresses = [`127.0.0.1:${APP_PORT}`, `${NODE_ADDR}:${APP_PORT}`];
  const [kept, doomed] = addresses as [string, string];
  let client: FailoverClient | undefined;
  try {
    // Two instances report the same config, and each answers on its own node's address.
    const { value: instances } = await waitFor('two HAProxy instances reporting the current config', 120_000, async () => {
      const status = await statusOf();
      const list = status.instances ?? [];
      return list.length === 2 && list.every((i) => i.configHash && i.configHash === list[0]!.configHash) ? list : undefined;
    });
    for (const address of addresses) {
      await waitFor(`an answer through the instance at ${address}`, 60_000, async () => (await httpGet(`http://${address}/`).catch(() => ({ status: 0 }))).status === 200);
    }
    client = new FailoverClient({ addresses, rate: RATE, attemptTimeoutMs: 2000, holdDownMs: 5000 });
    await new Promise((r) => setTimeout(r, 6000));
    assert.ok(addresses.every((a) => client!.records.some((r) => r.first.address === a && succeeded(r.first.status))), 'both instances served before the fault');

    const killedAt = Date.now();
    await swarmNode('kill', NODE);
    const { ms: goneMs } = await waitFor('the operator to drop the lost instance', 60_000, async () => ((await statusOf()).instances ?? []).length < 2, 250);
    const goneEvent = (await events()).find((e) => e.reason === 'HAProxyInstanceGone');
    await new Promise((r) => setTimeout(r, 10_000));
    const records: FailoverRecord[] = await client.stop();
    client = undefined;

    const inFlightAtKill = (r: FailoverRecord) => r.at <= killedAt && r.at + r.ms >= killedAt;
    const firstFailed = records.filter((r) => !succeeded(r.first.status));
    const finalFailed = records.filter((r) => !succeeded(r.status));
    const onDoomed = firstFailed.filter((r) => r.first.address === doomed);
    const onKept = firstFailed.filter((r) => r.first.address === kept);
    const after = records.filter((r) => r.at > killedAt);
    const slowest = Math.max(...after.map((r) => r.ms));
    figure = `${formatCount(records.length)} GETs at ${RATE}/s over both instances (${instances.map((i) => i.name).join(', ')}); ` +
      `first attempts failed: ${onDoomed.length} on the lost instance (${onDoomed.filter(inFlightAtKill).length} in flight at the kill, the rest sent before the client left it out), ${onKept.length} on the other; ` +
      `each retried on the other instance; slowest GET after the kill ${(slowest / 1000).toFixed(1)} s (attempt timeout 2 s); ` +
      `the operator dropped the instance ${(goneMs / 1000).toFixed(1)} s after the kill${goneEvent ? ` (event HAProxyInstanceGone: ${goneEvent.message})` : ''}`;
    lost = `${finalFailed.length} of ${formatCount(records.length)} GETs failed after the retry${finalFailed.length ? ` (${finalFailed.filter(inFlightAtKill).length} of them in flight on the lost node at the kill)` : ''}`;
    assert.ok(onDoomed.length > 0, 'the lost instance had requests when it went');
    assert.ok(finalFailed.every(inFlightAtKill), `only GETs in flight at the kill may fail: ${JSON.stringify(finalFailed.filter((r) => !inFlightAtKill(r)).slice(0, 3))}`);
    assert.ok(goneMs <= GONE_BOUND_MS, `the operator dropped the instance after ${goneMs} ms (bound ${GONE_BOUND_MS})`);
    assert.ok(goneEvent, 'an HAProxyInstanceGone event');
    passed = true;
  } finally {
    await client?.stop();
    recordFaultRow({ row: '19', fault: `2-node Swarm, spec.haproxy.replicas 2 (one instance per node), ${REPLICAS} replicas spread, ${RATE} GET/s from a client that knows both instances; the node of one instance lost (SIGKILL to its dockerd, containerd, shims and containers)`, figure, lost, passed });
  }
});
