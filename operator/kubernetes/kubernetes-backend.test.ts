// The Kubernetes backend against the FAKE Kubernetes API server (test/fakes/kube-apiserver),
// through the shared backend conformance suite. Loopback only, unit speed. The fake is not
// Kubernetes: docs/kubernetes.md lists what this does not cover. Every request the suite made
// must be allowed by the RBAC rules deploy/k8s grants (operator Role + editor ClusterRole).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../test/support/free-port.js';
import { startFakeBackend, FAKE_NAMESPACE } from '../../test/fakes/kube-apiserver/fake-backend.js';
import type { RecordedRequest } from '../../test/fakes/kube-apiserver/fake-kube-apiserver.js';
import { runBackendConformance } from '../../test/conformance/backend-conformance.js';
import { converge, OPERATOR_URL, specFor, wantedNames } from '../../test/conformance/conformance-world.js';
import { isBsoError } from '../../lib/errors.js';
import { validStoredObject } from '../backend.js';
import { desiredStateFor } from '../core/desired-state.js';
import { ClientNodeKubeApi } from './client-node-kube-api.js';
import { kubeTargetFor } from './kube-config.js';
import { BALANCED_SERVICES } from './kube-api.js';
import { KubernetesBackend } from './kubernetes-backend.js';
import { allows, EDITOR_PERMISSIONS, OPERATOR_PERMISSIONS } from './permissions.js';

const recorded: RecordedRequest[] = [];


runBackendConformance('kubernetes (FAKE API server)', async () => {
  const world = await startFakeBackend({ watchTimeoutSeconds: 5 });
  const down = await freePort();
  return {
    backend: world.backend,
    async cleanup() {
      recorded.push(...world.fake.requests);
      await world.close();
    },
    unreachable: () => new KubernetesBackend(new ClientNodeKubeApi(kubeTargetFor({ server: `http://127.0.0.1:${down}`, namespace: FAKE_NAMESPACE }), { timeoutMs: 2000 })),
    async storeRaw(name, raw) {
      // As `kubectl apply` would: the fake, like an API server without bso's admission, takes it.
      await world.api.create(BALANCED_SERVICES, { ...raw, metadata: { ...(raw['metadata'] as object), name, namespace: FAKE_NAMESPACE } } as never);
    },
  };
});

after(() => {
  assert.ok(recorded.length > 100, `the suite made ${recorded.length} requests`);
  const denied = recorded.filter((r) => !allows([...OPERATOR_PERMISSIONS, ...EDITOR_PERMISSIONS], r));
  assert.deepEqual([...new Set(denied.map((r) => `${r.verb} ${r.group}/${r.resource}`))], [], 'requests not granted by permissions.ts');
});

test('an owned object being deleted (a deletionTimestamp, finalizers pending) is waited for: observe says so, transiently, and nothing is written', async (t) => {
  const { fake, backend, close } = await startFakeBackend();
  t.after(close);
  const control = await backend.ensureControlPlane(OPERATOR_URL);
  await backend.putSpec(specFor('term', {}, { port: 9000 }));
  const desired = desiredStateFor(validStoredObject((await backend.getSpec('term'))!), control);
  await converge(backend, 'term', desired);
  fake.write('deployments', FAKE_NAMESPACE, 'term-api', (o) => { o.metadata.deletionTimestamp = new Date().toISOString(); });
  const writes = fake.requests.length;
  await assert.rejects(backend.observe('term', wantedNames(desired)), (e: unknown) => isBsoError(e, 'BSO_CONFLICT') && e.transient && /Deployment term-api is being deleted; bso waits/.test((e as Error).message));
  assert.ok(fake.requests.slice(writes).every((r) => r.verb === 'get' || r.verb === 'list'), 'only reads');
});
