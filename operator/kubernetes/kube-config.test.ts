import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBsoError } from '../../lib/errors.js';
import { connectKubernetes } from './connect.js';
import { loadKubeConnection } from './kube-config.js';

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

test('kubeconfig: current context, its namespace, CA file relative to the kubeconfig, client certificate data', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  const connection = loadKubeConnection({ kubeconfig: join(dir, 'config') });
  assert.deepEqual({ ...connection, token: connection.token?.() }, {
    server: 'https://127.0.0.1:6443', namespace: 'shop', ca: 'CA', cert: 'CERT', key: 'KEY', token: undefined, basicAuth: undefined, insecureSkipTlsVerify: false,
  });
});

test('kubeconfig: another context with a token file, a namespace override, $KUBECONFIG with a missing first entry', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'token.txt'), 'abc\n');
  const env = { KUBECONFIG: `${join(dir, 'missing')}:${join(dir, 'config')}` };
  const connection = loadKubeConnection({ env, context: 'other', home: dir });
  assert.equal(connection.namespace, 'default');
  assert.equal(connection.token?.(), 'abc');
  assert.equal(loadKubeConnection({ env, context: 'other', namespace: 'web', home: dir }).namespace, 'web');
});

test('kubeconfig: a credential plugin gives the Authorization header (through client-node); a failing one says which user', async (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  const connection = loadKubeConnection({ kubeconfig: join(dir, 'config'), context: 'plugin' });
  assert.equal(typeof connection.authorization, 'function');
  // gke-gcloud-auth-plugin is not installed here: the plugin fails, and the error names the user.
  await assert.rejects(connection.authorization!(), (e: unknown) => isBsoError(e, 'BSO_BACKEND_UNAVAILABLE') && /credential plugin of user cloud failed/.test((e as Error).message));
  assert.equal(loadKubeConnection({ kubeconfig: join(dir, 'config') }).authorization, undefined, 'no plugin, no client-node');
});

test('kubeconfig: unknown contexts and missing files are refused with a clear message', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  assert.throws(() => loadKubeConnection({ kubeconfig: join(dir, 'config'), context: 'nope' }), /context "nope" not found/);
  assert.throws(() => loadKubeConnection({ kubeconfig: join(dir, 'absent') }), /does not exist/);
});

test('in cluster: the ServiceAccount token, CA and namespace; an IPv6 API address in brackets', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'token'), 'sa-token');
  writeFileSync(join(dir, 'ca.crt'), 'CLUSTER-CA');
  writeFileSync(join(dir, 'namespace'), 'bso-system\n');
  const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
  const connection = loadKubeConnection({ env, serviceAccountDir: dir, home: dir });
  assert.equal(connection.server, 'https://[fd00::1]:443');
  assert.equal(connection.namespace, 'bso-system');
  assert.equal(connection.ca, 'CLUSTER-CA');
  assert.equal(connection.token?.(), 'sa-token');
  assert.throws(() => loadKubeConnection({ env: {}, serviceAccountDir: dir, home: dir }), /no kubeconfig found/);
});

test('connectKubernetes: BSO_NAMESPACE and BSO_HAPROXY_SERVICE_TYPE from the environment, refused when unknown', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'config'), KUBECONFIG);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  assert.equal(connectKubernetes({ kubeconfig: join(dir, 'config'), env: { BSO_NAMESPACE: 'web' } }).namespace, 'web');
  assert.throws(() => connectKubernetes({ kubeconfig: join(dir, 'config'), env: { BSO_HAPROXY_SERVICE_TYPE: 'Ingress' } }), (e: unknown) => isBsoError(e, 'BSO_USAGE'));
});
