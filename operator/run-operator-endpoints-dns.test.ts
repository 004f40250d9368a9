// The operator with --endpoints-dns on Kubernetes (the FAKE API server, loopback): the HAProxy
// configs it serves ask the endpoints DNS instead of resolv.conf, the endpoints DNS answers the
// running API pods, and it stops with the operator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { kubernetesReplicasDnsName, ownerLabels } from '../contract/names.js';
import { SILENT } from '../lib/logger.js';
import { FakeKubeApiServer } from '../test/fakes/kube-apiserver/fake-kube-apiserver.js';
import { FAKE_NAMESPACE } from '../test/fakes/kube-apiserver/fake-backend.js';
import { eventually, specFor } from '../test/conformance/conformance-world.js';
import { ClientNodeKubeApi } from './kubernetes/client-node-kube-api.js';
import { kubeTargetFor } from './kubernetes/kube-config.js';
import { PODS } from './kubernetes/kube-api.js';
import { KubernetesBackend } from './kubernetes/kubernetes-backend.js';
import { startOperator } from './run-operator.js';

const TOKEN = 'fake-token';

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function ask(server: string, name: string): Promise<string> {
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([server]);
  return resolver.resolve4(name).then((a) => a.sort().join(' '), (error: { code: string }) => error.code);
}

test('bso operator --endpoints-dns: configs ask the endpoints DNS, which answers the running API pods; it stops with the operator', async (t) => {
  const fake = await FakeKubeApiServer.start({ token: TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'bso-endpoints-dns-'));
  t.after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
current-context: fake
contexts: [{ name: fake, context: { cluster: fake, user: fake, namespace: ${FAKE_NAMESPACE} } }]
clusters: [{ name: fake, cluster: { server: "${fake.url}" } }]
users: [{ name: fake, user: { token: ${TOKEN} } }]
`);
  const port = await freeUdpPort();
  const server = `127.0.0.1:${port}`;
  const running = await startOperator({
    backend: 'kubernetes', listenHost: '127.0.0.1', listenPort: 0, resyncMs: 60_000, logger: SILENT,
    advertiseUrl: 'http://127.0.0.1:9', leaderElection: false, kubernetes: { kubeconfig },
    endpointsDns: { listen: { host: '127.0.0.1', port }, nameserver: server },
  });
  let stopped = false;
  t.after(() => (stopped ? undefined : running.stop()));
  const reconciler = await running.connected;

  const user = new ClientNodeKubeApi(kubeTargetFor({ server: fake.url, namespace: FAKE_NAMESPACE, token: TOKEN }));
  t.after(() => user.close());
  await new KubernetesBackend(user).putSpec(specFor('web', {}, { port: 8000 }));
  const config = await eventually('the config of web', async () => reconciler.configs.get('web')?.text);
  assert.match(config, new RegExp(`^resolvers bso-dns\\n {4}nameserver dns 127\\.0\\.0\\.1:${port}\\n`, 'm'));
  assert.doesNotMatch(config, /parse-resolv-conf/);
  const name = kubernetesReplicasDnsName('web', FAKE_NAMESPACE);
  assert.match(config, new RegExp(`server-template replica \\d+ ${name.replaceAll('.', '\\.')}:\\d+ resolvers bso-dns`));

  assert.equal(await ask(server, name), 'ENOTFOUND', 'no pod yet');
  await user.create<V1Pod>(PODS, { metadata: { name: 'web-api-1', namespace: FAKE_NAMESPACE, labels: ownerLabels('web', 'api') }, spec: { containers: [{ name: 'api', image: 'bso-hello-api:latest' }] } });
  fake.write('pods', FAKE_NAMESPACE, 'web-api-1', (pod) => { pod.status = { phase: 'Running', podIP: '10.1.0.9', conditions: [{ type: 'Ready', status: 'True' }] }; });
  await eventually('the pod in the answer', async () => ((await ask(server, name)) === '10.1.0.9' ? true : undefined), 5000);

  await running.stop();
  stopped = true;
  assert.match(await ask(server, name), /^(ECONNREFUSED|ETIMEOUT)$/, 'no answer once the operator stopped');
});
