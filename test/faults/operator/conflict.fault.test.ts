// Row 3: a concurrent writer changes a service between the operator's read and its update.
// What "no lost update" means for this level-triggered operator (docs/reliability.md):
//   - the operator never writes over a version it has not read: its update carries the
//     Version.Index it observed, Docker rejects it as out of sequence, the key is requeued;
//   - the retry reads the writer's version and plans from it: the operator's own change (the new
//     spec) is not lost, and the writer's change is seen, not overwritten blindly;
//   - the operator owns the whole spec of the services it creates: the writer's edits to them
//     (a scale, a label) are reverted to the BalancedService, visibly (an Updated event) and on
//     purpose. Changes belong in the BalancedService (metadata.labels, replicas).
// The proxy holds the operator's update of the API service until the writer has written.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../e2e/support.js';
import { DockerApiProxy, type ProxiedRequest } from './docker-api-proxy.js';
import { recordFaultRow } from '../fault-table.js';
import { apiObject, freePort, inspectService, metricSum, metricsOf, putSpec, removeOwnedObjects, startOperatorChild, updateServiceByHand, waitForQuiet, type OperatorChild } from './harness.js';

const NAME = 'bsofop-conflict';
const work = mkdtempSync(join(tmpdir(), 'bso-fault-conflict-'));
const logFile = join(work, 'operator.log');

after(async () => {
  await removeOwnedObjects(NAME, true);
  console.log(`operator log: ${logFile}`);
});

const versionOf = (r: ProxiedRequest) => Number(new URL(r.path, 'http://docker').searchParams.get('version'));

test('row 3: a concurrent writer between read and update: version conflict, requeue, nothing lost', { timeout: 180_000 }, async () => {
  let apiId = '';
  let held: ProxiedRequest | undefined;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => { release = resolve; });
  const proxy = await new DockerApiProxy({
    beforeForward: (request) => {
      if (held || !apiId || request.method !== 'POST' || !request.path.includes(`/services/${apiId}/update`)) return undefined;
      held = request;
      return released;
    },
  }).listen();
  let operator: OperatorChild | undefined;
  let figure = 'not measured';
  let lost = 'not measured';
  let passed = false;
  try {
    await removeOwnedObjects(NAME, true);
    const ports = { appPort: await freePort(), statsPort: await freePort() };
    await putSpec({ name: NAME, replicas: 2, ...ports });
    operator = startOperatorChild({ port: await freePort(), dockerHost: proxy.dockerHost, logFile, resync: '5s' });
    await waitForQuiet(proxy, 4000);
    const read = await inspectService(`${NAME}-api`);
    apiId = read.ID;

    // The operator's change: replicas 2 -> 3. Its update of the API service is held...
    await putSpec({ name: NAME, replicas: 3, ...ports });
    await waitFor('the operator to send its update', 30_000, async () => held, 100);
    // ... while a concurrent writer scales the service and adds a label.
    const writerVersion = await updateServiceByHand(`${NAME}-api`, (spec) => {
      spec.Mode.Replicated.Replicas = 1;
      spec.Labels = { ...spec.Labels, 'bsofop.test/writer': 'was-here' };
    });
    release();

    const end = await waitFor('the operator to apply replicas 3 after the conflict', 60_000, async () => {
      const service = await inspectService(`${NAME}-api`);
      return service.Spec.Mode.Replicated.Replicas === 3 && service;
    }, 250);
    const updates = proxy.writeRequests().filter((r) => r.path.includes(`/services/${apiId}/update`));
    const accepted = updates.filter((r) => r.status !== undefined && r.status < 300);
    const metrics = await metricsOf(operator);
    const events = (await apiObject(operator, NAME)).body.events ?? [];

    assert.equal(versionOf(held!), read.Version.Index, 'the held update was not based on the version the operator read');
    assert.ok(held!.status !== undefined && held!.status >= 400, `Docker accepted the stale update (status ${held!.status})`);
    assert.ok(accepted.length >= 1);
    assert.equal(versionOf(accepted[0]!), writerVersion, 'the retry was not based on the concurrent writer\'s version');
    assert.ok(metricSum(metrics, 'bso_reconcile_retries_total') >= 1, 'the conflict was not requeued');
    assert.ok(events.some((e) => /changed while bso was updating it/.test(e.message)), `no conflict event: ${JSON.stringify(events)}`);
    assert.equal(end.value.Spec.Labels['bsofop.test/writer'], undefined, 'the writer\'s label on an operator-owned service survived');
    figure = `held update (version ${versionOf(held!)}) rejected with ${held!.status} after the writer's (version ${writerVersion}); requeued, retried at version ${versionOf(accepted[0]!)} ${((accepted[0]!.at - held!.at) / 1000).toFixed(1)} s after the held one; ${updates.length} update calls in all`;
    lost = '0: the operator\'s change (replicas 3) applied; the writer\'s edits to owned fields seen and reverted by design (Updated event)';
    passed = true;
  } finally {
    release();
    recordFaultRow({ row: '3', fault: 'a concurrent writer updates a service between the operator\'s read and its update', figure, lost, passed });
    await operator?.stop();
    await proxy.close();
  }
});
