import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBsoError } from '../../lib/errors.js';
import { connectKubernetes } from './connect.js';
import { ClientNodeKubeApi } from './client-node-kube-api.js';
import { BALANCED_SERVICES } from './kube-api.js';
import { loadKubeTarget, type KubeTarget } from './kube-config.js';

function folder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'bso-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: kind
contexts:
  - name: kind
    context: { cluster: kind, user: admin, namespace: shop }
  - name: other
    context: { cluster: kind, user: robot }
  - name: plugin
    context: { cluster: kind, user: cloud }
clusters:
  - name: kind
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority: ca.pem
users:
  - name: admin
    user:
      client-certificate-data: ${Buffer.from('CERT').toString('base64')}
      client-key-data: ${Buffer.from('KEY').toString('base64')}
  - name: robot
    user: { tokenFile: token.txt }
  - name: cloud
    user: { exec: { command: gke-gcloud-auth-plugin } }
`;

/** What client-node would send with a request to this target: TLS material and headers. */
async function sent(target: KubeTarget) {
  const options: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean } = { headers: {} };
  await target.config.applyToHTTPSOptions(options);
  return {
    server: target.config.getCurrentCluster()?.server, namespace: target.namespace,
    ca: options.ca?.toString(), cert: options.cert?.toString(), key: options.key?.toString(), authorization: options.headers['Authorization'],
  };
}

test('kubeconfig: current context, its namespace, CA file relative to the kubeconfig, client certificate data', async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  assert.deepEqual(await sent(loadKubeTarget({ kubeconfig: join(dir, 'config') })), {
    server: 'https://127.0.0.1:6443', namespace: 'shop', ca: 'CA', cert: 'CERT', key: 'KEY', authorization: undefined,
  });
});

test('kubeconfig: another context whose tokenFile (relative, as kubectl reads it) is re-read, a namespace override, $KUBECONFIG with a missing first entry', async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'token.txt'), 'abc\n');
  const env = { KUBECONFIG: `${join(dir, 'missing')}:${join(dir, 'config')}` };
  const target = loadKubeTarget({ env, context: 'other', home: dir });
  assert.equal(target.namespace, 'default');
  assert.equal((await sent(target)).authorization?.trim(), 'Bearer abc');
  assert.equal(loadKubeTarget({ env, context: 'other', namespace: 'web', home: dir }).namespace, 'web');
});

test('$KUBECONFIG with several files merges them as kubectl does: the first to name a context (or current-context) wins', async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'second'), `apiVersion: v1
kind: Config
current-context: staging
contexts:
  - { name: staging, context: { cluster: staging, user: deployer, namespace: stage } }
  - { name: kind, context: { cluster: staging, user: deployer, namespace: shadowed } }
clusters: [{ name: staging, cluster: { server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true } }]
users: [{ name: deployer, user: { token: s3cret } }]
`);
  const env = { KUBECONFIG: `${join(dir, 'config')}:${join(dir, 'second')}` };
  assert.equal(loadKubeTarget({ env, home: dir }).namespace, 'shop', 'current-context and context "kind" from the first file');
  assert.deepEqual(await sent(loadKubeTarget({ env, home: dir, context: 'staging' })), {
    server: 'https://10.0.0.1:6443', namespace: 'stage', ca: undefined, cert: undefined, key: undefined, authorization: 'Bearer s3cret',
  });
});

test('kubeconfig: a credential plugin that fails is BSO_BACKEND_UNAVAILABLE naming the kubeconfig, the context and the user', async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  // gke-gcloud-auth-plugin is not installed here: the plugin fails when a request needs it.
  const api = new ClientNodeKubeApi(loadKubeTarget({ kubeconfig: join(dir, 'config'), context: 'plugin' }));
  await assert.rejects(api.list(BALANCED_SERVICES), (e: unknown) => isBsoError(e, 'BSO_BACKEND_UNAVAILABLE')
    && (e as Error).message.includes(`${join(dir, 'config')} (context plugin): the credential plugin of user cloud failed`));
});

test('kubeconfig: unknown contexts, contexts without a server and missing or broken files are refused with a clear message', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'broken'), 'clusters: [ {');
  writeFileSync(join(dir, 'no-server'), 'current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nclusters: [{ name: k, cluster: {} }]\nusers: [{ name: u, user: {} }]\n');
  assert.throws(() => loadKubeTarget({ kubeconfig: join(dir, 'config'), context: 'nope' }), /context "nope" not found \(it has kind, other, plugin\)/);
  assert.throws(() => loadKubeTarget({ kubeconfig: join(dir, 'absent') }), /does not exist/);
  assert.throws(() => loadKubeTarget({ kubeconfig: join(dir, 'broken') }), (e: unknown) => isBsoError(e, 'BSO_BACKEND_UNAVAILABLE') && e.message.startsWith(`Kubernetes configuration: ${join(dir, 'broken')}: `));
  assert.throws(() => loadKubeTarget({ kubeconfig: join(dir, 'no-server') }), /no-server: clusters\[0\]\.cluster\.server is missing/);
  writeFileSync(join(dir, 'no-cluster'), 'current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nusers: [{ name: u, user: {} }]\n');
  assert.throws(() => loadKubeTarget({ kubeconfig: join(dir, 'no-cluster') }), /context c names cluster "k", which is not defined/);
});

test('in cluster: the ServiceAccount token, CA and namespace; an IPv6 API address in brackets', async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'token'), 'sa-token');
  writeFileSync(join(dir, 'ca.crt'), 'CLUSTER-CA');
  writeFileSync(join(dir, 'namespace'), 'bso-system\n');
  const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
  assert.deepEqual(await sent(loadKubeTarget({ env, serviceAccountDir: dir, home: dir })), {
    server: 'https://[fd00::1]:443', namespace: 'bso-system', ca: 'CLUSTER-CA', cert: undefined, key: undefined, authorization: 'Bearer sa-token',
  });
  assert.throws(() => loadKubeTarget({ env: {}, serviceAccountDir: dir, home: dir }), /no kubeconfig found/);
});

test('connectKubernetes: BSO_NAMESPACE and BSO_HAPROXY_SERVICE_TYPE from the environment, refused when unknown', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  assert.equal(connectKubernetes({ kubeconfig: join(dir, 'config'), env: { BSO_NAMESPACE: 'web' } }).namespace, 'web');
  assert.throws(() => connectKubernetes({ kubeconfig: join(dir, 'config'), env: { BSO_HAPROXY_SERVICE_TYPE: 'Ingress' } }), (e: unknown) => isBsoError(e, 'BSO_USAGE'));
});
