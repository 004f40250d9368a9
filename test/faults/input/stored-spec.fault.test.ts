// Row 16: specs in the Swarm's store that bso apply did not write as they are: one without its
// defaulted fields (written by an older bso, or by hand with `docker config create`), one that is
// invalid. A real operator on the real dockerd must build the first with every default (replicas
// get BSO_MAINT_AT=80, not "undefined"), and report the second on its status with each issue's
// path while creating nothing for it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specConfigBody } from '../../../operator/swarm/spec-store.js';
import { waitFor } from '../../e2e/support.js';
import { recordFaultRow } from '../fault-table.js';
import { apiObject, docker, freePort, inspectService, objectsOf, removeOwnedObjects, startOperatorChild, waitHealthy, type OperatorChild } from '../operator/harness.js';

const SPARSE = 'bsofsparse';
const BROKEN = 'bsofbroken';
const work = mkdtempSync(join(tmpdir(), 'bso-fault-stored-'));
const logFile = join(work, 'operator.log');

after(async () => {
  await removeOwnedObjects(SPARSE, true);
  await removeOwnedObjects(BROKEN, true);
  console.log(`operator log: ${logFile}`);
});

test('row 16: a stored spec without its defaulted fields reconciles with the defaults; an invalid one is reported on its status and creates nothing', { timeout: 180_000 }, async () => {
  let operator: OperatorChild | undefined;
  let figure = 'not measured';
  let lost = 'not measured';
  let passed = false;
  try {
    await removeOwnedObjects(SPARSE, true);
    await removeOwnedObjects(BROKEN, true);
    const [appPort, statsPort, brokenPort] = [await freePort(), await freePort(), await freePort()];
    const head = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService' };
    // What a user writes at least; no agent, resources, thresholds or timeouts.
    await docker.createConfig(specConfigBody(SPARSE, 1, { ...head, metadata: { name: SPARSE }, spec: { image: 'bso-hello-api:latest', replicas: 1, haproxy: { port: appPort, statsPort } } }, 'by-hand') as never);
    await docker.createConfig(specConfigBody(BROKEN, 1, {
      ...head, metadata: { name: BROKEN },
      spec: { image: 'bso-hello-api:latest', replicas: 'three', agent: { thresholds: { maint: 50, ready: 70 } }, haproxy: { port: brokenPort, statsPort: brokenPort + 1 } },
    }, 'by-hand') as never);

    operator = startOperatorChild({ port: await freePort(), dockerHost: 'unix:///var/run/docker.sock', logFile, resync: '5s' });
    await waitHealthy(operator);
    const { ms } = await waitFor(`${SPARSE}-api to exist`, 60_000, async () => (await docker.listServices()).some((s) => s.Spec?.Name === `${SPARSE}-api`), 250);
    const env = Object.fromEntries(((await inspectService(`${SPARSE}-api`)).Spec.TaskTemplate as { ContainerSpec: { Env: string[] } }).ContainerSpec.Env.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]));
    assert.deepEqual([env['BSO_MAINT_AT'], env['BSO_READY_AT'], env['BSO_SMOOTHING']], ['80', '60', '1s'], 'the replicas get the defaults');
    const sparse = await apiObject(operator, SPARSE);
    assert.ok(!sparse.body.status?.conditions.some((c) => c.reason === 'SpecInvalid'), JSON.stringify(sparse.body.status));

    const { value: invalid } = await waitFor(`${BROKEN} to be reported`, 30_000, async () => (await apiObject(operator!, BROKEN)).body.status?.conditions.find((c) => c.reason === 'SpecInvalid'), 250);
    assert.match(invalid.message, /swarm config bso-spec-bsofbroken-g1:\d+:\d+: spec\.replicas: /);
    assert.match(invalid.message, /spec\.agent\.thresholds\.ready/);
    const created = (await objectsOf(BROKEN)).filter((o) => o.kind !== 'config');
    assert.deepEqual(created.map((o) => `${o.kind} ${o.name}`), [], 'nothing created for the invalid spec');

    figure = `the spec without defaults built in ${(ms / 1000).toFixed(1)} s with BSO_MAINT_AT=80, BSO_READY_AT=60, BSO_SMOOTHING=1s; the invalid one reported as SpecInvalid with ${invalid.message.split('; ').length} located issues (spec.replicas, spec.agent.thresholds.ready)`;
    lost = '0 objects created for the invalid spec';
    passed = true;
  } finally {
    recordFaultRow({ row: '16', fault: 'specs in the store that bso apply did not write: one without its defaulted fields (an older bso, a hand edit), one invalid', figure, lost, passed });
    await operator?.stop();
  }
});
