import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorMetrics } from '../../operator/metrics.js';
import { Reconciler } from '../../operator/reconciler.js';
import { configRenderer } from '../../operator/render-for-operator.js';
import { MemoryBackend } from './cp-memory-backend.js';
import { specsFor } from './cp-operator-probe.js';

test('the real reconciler converges specs on the memory backend, then writes nothing; a deleted spec leaves nothing', async () => {
  const backend = new MemoryBackend();
  const [a, b] = specsFor(2, 3);
  await backend.putSpec(a!);
  await backend.putSpec(b!);
  const control = await backend.ensureControlPlane('http://127.0.0.1:9464');
  const reconciler = new Reconciler({ backend, control, metrics: new OperatorMetrics(), renderConfig: configRenderer({ kind: 'swarm' }) });
  await reconciler.reconcile(a!.metadata.name);
  await reconciler.reconcile(b!.metadata.name);
  const created = backend.writes;
  assert.ok(created >= 8, `network, secret and two services per spec: ${created}`);
  assert.deepEqual((await backend.listOwners()).sort(), [a!.metadata.name, b!.metadata.name]);
  assert.deepEqual(await backend.replicaCounts(`${a!.metadata.name}-api`), { desired: 3, running: 3 });
  await reconciler.reconcile(a!.metadata.name);
  assert.equal(backend.writes, created, 'an unchanged spec writes nothing');
  await backend.deleteSpec(a!.metadata.name);
  await reconciler.reconcile(a!.metadata.name);
  assert.deepEqual(await backend.listOwners(), [b!.metadata.name]);
  assert.equal((await backend.observe(a!.metadata.name, [`${a!.metadata.name}-api`])).byName.length, 0);
});
