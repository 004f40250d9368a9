// Row 2: Docker events cut off. The operator's /events stream is held open by the proxy and never
// carries an event, so only the periodic resync (--resync 5s here; 30s by default) can notice a
// change: (a) a manual scale is reverted within about one resync period; (b) 300 changes made
// while the operator is stopped (labels, a scale, a removed service) are all undone from its
// first resync after start, back to exactly the state before them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../e2e/support.js';
import { DockerApiProxy } from './docker-api-proxy.js';
import { recordFaultRow } from '../fault-table.js';
import { apiObject, docker, freePort, inspectService, normalizedState, putSpec, removeOwnedObjects, seconds, startOperatorChild, updateServiceByHand, waitForQuiet, type OperatorChild } from './harness.js';

const NAME = 'bsofop-resync';
const CHANGES = 300;
const work = mkdtempSync(join(tmpdir(), 'bso-fault-resync-'));
const logFile = join(work, 'operator.log');

after(async () => {
  await removeOwnedObjects(NAME, true);
  console.log(`operator log: ${logFile}`);
});

test('row 2: with Docker events cut off, the periodic resync converges (manual scale; 300 changes while stopped)', { timeout: 240_000 }, async () => {
  const proxy = await new DockerApiProxy().listen();
  proxy.cutEvents(true);
  let operator: OperatorChild | undefined;
  const port = await freePort();
  const start = () => startOperatorChild({ port, dockerHost: proxy.dockerHost, logFile, resync: '5s' });
  let figure = 'not measured';
  let lost = 'not measured';
  let passed = false;
  try {
    await removeOwnedObjects(NAME, true);
    await putSpec({ name: NAME, replicas: 2, appPort: await freePort(), statsPort: await freePort() });
    operator = start();
    await waitForQuiet(proxy, 4000);
    const reference = await normalizedState(NAME);

    // (a) A manual scale, seen by no event. Without events the operator still reconciles a service
    // on each report of its HAProxy supervisor (one goes out when a server goes away) and, until
    // the service is Ready, every 2 s; the resync is the backstop for everything else.
    const ready = (await apiObject(operator, NAME)).body.status?.conditions.find((c) => c.type === 'Ready')?.status === 'True';
    await updateServiceByHand(`${NAME}-api`, (spec) => { spec.Mode.Replicated.Replicas = 1; });
    const { ms: scaleMs } = await waitFor('the resync to revert a manual scale', 60_000, async () => (await inspectService(`${NAME}-api`)).Spec.Mode.Replicated.Replicas === 2, 200);
    await waitFor('the state before the scale', 30_000, async () => JSON.stringify(await normalizedState(NAME)) === JSON.stringify(reference));

    // (b) 300 changes while the operator is stopped.
    await operator.stop();
    for (let i = 1; i <= CHANGES - 2; i++) {
      await updateServiceByHand(`${NAME}-api`, (spec) => { spec.Labels = { ...spec.Labels, 'bsofop.test/change': String(i) }; });
    }
    await updateServiceByHand(`${NAME}-api`, (spec) => { spec.Mode.Replicated.Replicas = 3; });
    await docker.getService(`${NAME}-haproxy`).remove();
    assert.notDeepEqual(await normalizedState(NAME), reference);
    const eventsBefore = proxy.requests.filter((r) => r.path.includes('/events')).length;
    const startedAt = Date.now();
    operator = start();
    let current: string[] = [];
    try {
      await waitFor(`the restarted operator to undo ${CHANGES} changes`, 90_000, async () => {
        current = await normalizedState(NAME);
        return JSON.stringify(current) === JSON.stringify(reference);
      }, 250);
    } catch (error) {
      assert.deepEqual(current, reference, (error as Error).message);
    }
    const restartMs = Date.now() - startedAt;
    assert.ok(proxy.requests.filter((r) => r.path.includes('/events')).length > eventsBefore, 'the restarted operator never asked for events (so the cut proved nothing)');
    figure = `manual scale reverted in ${seconds(scaleMs)} with no Docker event (service ${ready ? 'Ready' : 'not Ready'}: a supervisor report${ready ? '' : ', the 2 s progress poll'} or the resync, --resync 5s here, 30s by default, whichever came first); after ${CHANGES} changes while stopped (${CHANGES - 2} label edits, a scale, a removed service) converged ${seconds(restartMs)} after spawning the operator (its first resync)`;
    lost = '0: end state equal to the state before the changes; no event was delivered';
    passed = true;
  } finally {
    recordFaultRow({ row: '2', fault: `Docker events cut off (the /events stream stays silent); ${CHANGES} changes made while the operator was stopped`, figure, lost, passed });
    await operator?.stop();
    await proxy.close();
  }
});
