// The Kubernetes spec store against the FAKE Kubernetes API server (test/fakes/kube-apiserver):
// a resource is loaded (validated, defaults filled in) again only when what the loader reads
// changed, since the reconciler lists every spec on each reconcile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeBackend } from '../../test/fakes/kube-apiserver/fake-backend.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { KubernetesSpecStore } from './spec-store.js';

test('list() loads a resource once per generation, labels and annotations; a status write does not load it again', async () => {
  const { api, close } = await startFakeBackend();
  try {
    const store = new KubernetesSpecStore(api);
    const spec: BalancedService = structuredClone(loadSpec('examples/hello.yaml'));
    await store.put(spec);
    const [first] = await store.list();
    const [again] = await store.list();
    assert.ok(first?.valid);
    assert.equal(again, first, 'the same loaded spec');

    await store.writeStatus('hello', { readyReplicas: 1, observedGeneration: 1 });
    const [afterStatus] = await store.list();
    assert.equal(afterStatus, first, 'a status write changes no input of the loader');

    spec.spec.replicas = 5;
    await store.put(spec);
    const [changed] = await store.list();
    assert.ok(changed?.valid);
    assert.notEqual(changed, first);
    assert.equal(changed.object.spec.replicas, 5);

    await store.delete('hello');
    assert.deepEqual(await store.list(), []);
  } finally {
    await close();
  }
});
