// Row 17 (issue #18): two operators on Swarm with --leader-elect, each reaching Docker through
// its own counting proxy. The leader is SIGKILLed while the spec keeps changing: the standby
// leads within 15 s, converges to the last spec (no change lost), and no object is written by
// both (the standby wrote nothing before it led; the dead leader wrote nothing after its death).
// On a two-node Swarm (scripts/swarm-node.sh adds a worker, where the replicas may run) wherever
// network namespaces can be made; the election itself needs only the manager.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, waitFor } from '../../e2e/support.js';
import { LOCK_SERVICE } from '../../../operator/swarm/operator-lock.js';
import { recordFaultRow } from '../fault-table.js';
import { DockerApiProxy, type ProxiedRequest } from './docker-api-proxy.js';
import { docker, freePort, inspectService, putSpec, removeOwnedObjects, seconds, startOperatorChild, waitHealthy, type OperatorChild } from './harness.js';
import { nodeIdOf, swarmNode, whyNoNetworkNamespaces } from '../cluster/swarm.js';
import { run } from '../../e2e/support.js';

const NAME = 'bsofop-standby';
const work = mkdtempSync(join(tmpdir(), 'bso-fault-standby-'));

async function removeLock(): Promise<void> {
  for (const service of await docker.listServices({ filters: { name: [LOCK_SERVICE] } })) {
    if (service.Spec?.Name === LOCK_SERVICE) await docker.getService(service.ID).remove().catch(() => undefined);
  }
}

const NODE = 'node5';
const noSecondNode = await whyNoNetworkNamespaces();
let nodes = 1;

before(async () => {
  if (noSecondNode) { console.log(`row 17 runs on one node: ${noSecondNode}`); return; }
  await swarmNode('up', NODE, { BSO_NODE_IMAGES: 'bso-hello-api:latest' });
  await run('docker', ['node', 'update', '--availability', 'active', await nodeIdOf(NODE)]);
  nodes = 2;
});

after(async () => {
  await removeOwnedObjects(NAME, true);
  await removeLock();
  if (nodes === 2) await swarmNode('down', NODE).catch((error: Error) => console.log(error.message));
  console.log(`operator logs: ${work}`);
});

/** Writes other than the lock's own (its create and renewals), with when they were answered. */
function objectWrites(requests: ProxiedRequest[], lockId: string): ProxiedRequest[] {
  return requests.filter((r) => !r.path.includes(`/services/${lockId}/`) && !(r.path.endsWith('/services/create') && r.body?.includes(`"${LOCK_SERVICE}"`)));
}

test('row 17: SIGKILL the leading operator while the spec changes: the standby leads within 15 s, converges to the last spec, and no object is written by both', { timeout: 240_000 }, async () => {
  const proxies = await Promise.all([new DockerApiProxy().listen(), new DockerApiProxy().listen()]);
  const operators: OperatorChild[] = [];
  let figure = 'not measured';
  let lost = 'not measured';
  let passed = false;
  try {
    await removeOwnedObjects(NAME, true);
    await removeLock();
    const ports = { app: await freePort(), stats: await freePort() };
    await putSpec({ name: NAME, replicas: 1, appPort: ports.app, statsPort: ports.stats });
    const start = async (i: number) => {
      const operator = startOperatorChild({ port: await freePort(), dockerHost: proxies[i]!.dockerHost, logFile: join(work, `operator-${'ab'[i]}.log`), args: ['--leader-elect'] });
      operators.push(operator);
      return operator;
    };
    const leader = await start(0);
    await waitHealthy(leader);
    const standby = await start(1);
    await waitFor('the second operator on standby', 60_000, async () => {
      const ready = await httpGet(`${standby.url}/readyz`).catch(() => undefined);
      return ready?.status === 503 && /standby: the leader service bso-operator-lock is held by /.test(ready.body);
    }, 250);
    const lockId = (await inspectService(LOCK_SERVICE)).ID;

    // The spec changes every 700 ms; the leader dies after the third change.
    let replicas = 1;
    const changes: number[] = [];
    let killedAt = 0;
    for (let i = 0; i < 12; i++) {
      replicas = replicas % 3 + 1;
      await putSpec({ name: NAME, replicas, appPort: ports.app, statsPort: ports.stats });
      changes.push(replicas);
      if (i === 2) {
        leader.child.kill('SIGKILL');
        await leader.exited;
        killedAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    await waitFor('the standby to lead (bso_leader 1)', 60_000, () => httpGet(`${standby.url}/metrics`).then((r) => /^bso_leader 1$/m.test(r.body), () => false), 100);
    const tookOverMs = Date.now() - killedAt;
    await waitFor(`${NAME}-api at the last spec's ${replicas} replicas`, 90_000, async () => (await inspectService(`${NAME}-api`)).Spec.Mode.Replicated.Replicas === replicas, 250);
    const convergedMs = Date.now() - killedAt;

    const [leaderWrites, standbyWrites] = proxies.map((p) => objectWrites(p.writeRequests(), lockId));
    const standbyEarly = standbyWrites!.filter((r) => r.at < killedAt);
    const leaderLate = leaderWrites!.filter((r) => r.at > killedAt);
    figure = `${nodes}-node Swarm; the standby led ${seconds(tookOverMs)} after the kill (lease 10 s); ${NAME}-api at the last of ${changes.length} spec changes (replicas ${replicas}) ${seconds(convergedMs)} after the kill; object writes: ${leaderWrites!.length} by the leader before its death, ${standbyWrites!.length} by the standby after it led`;
    lost = `${standbyEarly.length + leaderLate.length} writes by the operator not leading; 0 spec changes lost`;
    assert.ok(tookOverMs <= 15_000, `took over after ${tookOverMs} ms`);
    assert.deepEqual(standbyEarly.map((r) => `${r.method} ${r.path}`), [], 'the standby wrote while the leader lived');
    assert.deepEqual(leaderLate.map((r) => `${r.method} ${r.path}`), [], 'the dead leader wrote');
    assert.ok(leaderWrites!.length > 0, 'the leader converged the first specs');
    assert.ok(standbyWrites!.length > 0, 'the new leader converged the changes made after the kill');
    passed = true;
  } finally {
    for (const operator of operators) await operator.stop();
    for (const proxy of proxies) await proxy.close();
    recordFaultRow({ row: '17', fault: 'SIGKILL the leading one of two Swarm operators (--leader-elect) while the spec changes every 0.7 s', figure, lost, passed });
  }
});
