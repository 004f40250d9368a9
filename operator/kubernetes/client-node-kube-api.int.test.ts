// bso's Kubernetes client (client-node underneath) over TLS, through a kubeconfig, against the
// FAKE Kubernetes API server serving HTTPS with a certificate openssl makes for 127.0.0.1: the CA
// is verified, the bearer token is sent, each failure has the error it should, and bodies reach
// the server as bso wrote them (why bso does not send them through client-node's typed layer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKubeApiServer } from '../../test/fakes/kube-apiserver/fake-kube-apiserver.js';
import { isBsoError } from '../../lib/errors.js';
import { specFor } from '../../test/conformance/conformance-world.js';
import { connectKubernetes } from './connect.js';
import { KubernetesObjectApi, type V1NetworkPolicy } from '@kubernetes/client-node';
import { ClientNodeKubeApi } from './client-node-kube-api.js';
import { KubeApiError, NETWORK_POLICIES } from './kube-api.js';
import { loadKubeTarget } from './kube-config.js';

let dir: string;
let fake: FakeKubeApiServer;
let cert: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bso-kube-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  fake = await FakeKubeApiServer.start({ token: 'tls-token', tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert } });
});

after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(name: string, cluster: string, user: string): string {
  const file = join(dir, name);
  writeFileSync(file, `apiVersion: v1
kind: Config
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u, namespace: tls } }]
clusters: [{ name: k, cluster: { server: "${fake.url}"${cluster} } }]
users: [{ name: u, user: { ${user} } }]
`);
  return file;
}

test('with the cluster CA and the token: specs are stored and read back over HTTPS', async () => {
  const backend = connectKubernetes({ kubeconfig: kubeconfig('good', `, certificate-authority-data: ${Buffer.from(cert).toString('base64')}`, 'token: tls-token'), env: {} });
  assert.equal((await backend.putSpec(specFor('secure'))).changed, true);
  assert.equal((await backend.getSpec('secure'))?.name, 'secure');
  assert.equal(fake.get('balancedservices', 'tls', 'secure')?.metadata.name, 'secure');
});

test('without the CA the certificate is refused: BSO_BACKEND_UNAVAILABLE, transient; insecure-skip-tls-verify accepts it', async () => {
  const strict = connectKubernetes({ kubeconfig: kubeconfig('no-ca', '', 'token: tls-token'), env: {} });
  await assert.rejects(strict.listSpecs(), (e: unknown) => isBsoError(e, 'BSO_BACKEND_UNAVAILABLE') && e.transient && /certificate/i.test(e.message));
  const lax = connectKubernetes({ kubeconfig: kubeconfig('insecure', ', insecure-skip-tls-verify: true', 'token: tls-token'), env: {} });
  assert.ok(Array.isArray(await lax.listSpecs()));
});

test('a wrong token is a 401 that points at credentials and RBAC', async () => {
  const backend = connectKubernetes({ kubeconfig: kubeconfig('bad-token', `, certificate-authority-data: ${Buffer.from(cert).toString('base64')}`, 'token: nope'), env: {} });
  await assert.rejects(backend.listSpecs(), (e: unknown) => e instanceof KubeApiError && e.status === 401 && /RBAC/.test(e.message));
});

test('an exec credential plugin (as EKS, GKE and AKS kubeconfigs use): its token is sent, and a plugin that fails is BSO_BACKEND_UNAVAILABLE', async () => {
  const plugin = join(dir, 'plugin.sh');
  writeFileSync(plugin, '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tls-token"}}\'\n', { mode: 0o755 });
  const exec = (command: string) => `exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: "${command}", interactiveMode: Never }`;
  const ca = `, certificate-authority-data: ${Buffer.from(cert).toString('base64')}`;
  const backend = connectKubernetes({ kubeconfig: kubeconfig('exec', ca, exec(plugin)), env: {} });
  assert.equal((await backend.putSpec(specFor('by-plugin'))).changed, true);
  assert.equal((await backend.getSpec('by-plugin'))?.name, 'by-plugin');
  const broken = connectKubernetes({ kubeconfig: kubeconfig('exec-missing', ca, exec(join(dir, 'no-such-plugin'))), env: {} });
  await assert.rejects(broken.listSpecs(), (e: unknown) => isBsoError(e, 'BSO_BACKEND_UNAVAILABLE') && /credential plugin of user u failed/.test(e.message));
});

test('a NetworkPolicy keeps its ingress `from` through bso\'s client; client-node\'s KubernetesObjectApi drops it (why bodies stay in wire form)', async () => {
  const target = loadKubeTarget({ kubeconfig: kubeconfig('policy', `, certificate-authority-data: ${Buffer.from(cert).toString('base64')}`, 'token: tls-token'), env: {} });
  const from = [{ podSelector: { matchLabels: { 'bso.dev/component': 'haproxy' } } }];
  // client-node's own type has no `from`: its model calls the field `_from`.
  const policy = (name: string): V1NetworkPolicy => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'tls' },
    spec: { podSelector: {}, ingress: [{ from, ports: [{ port: 8000 }] }] },
  } as unknown as V1NetworkPolicy);
  await new ClientNodeKubeApi(target).create(NETWORK_POLICIES, policy('by-bso'));
  assert.deepEqual((fake.get('networkpolicies', 'tls', 'by-bso')?.spec as { ingress?: Array<{ from?: unknown }> }).ingress?.[0]?.from, from);
  await KubernetesObjectApi.makeApiClient(target.config).create(policy('by-kubernetes-object-api'));
  const stored = fake.get('networkpolicies', 'tls', 'by-kubernetes-object-api')?.spec as { ingress?: Array<{ from?: unknown }> };
  assert.ok(stored.ingress?.[0], 'the rule itself arrives');
  assert.equal(stored.ingress[0].from, undefined, 'client-node now keeps `from`: bso could send bodies through KubernetesObjectApi (docs/kubernetes.md, Connecting)');
});
