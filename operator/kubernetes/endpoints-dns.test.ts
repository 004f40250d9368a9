// The endpoints DNS fed by the pod feed against the FAKE Kubernetes API server: pods appear and
// disappear in its answers as a headless Service's DNS would show them, asked over UDP with
// Node's own resolver. Loopback only, unit speed. (endpoints-dns.int.test.ts: HAProxy asking it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { kubernetesReplicasDnsName, ownerLabels } from '../../contract/names.js';
import { FAKE_NAMESPACE, startFakeBackend, type FakeBackend } from '../../test/fakes/kube-apiserver/fake-backend.js';
import { eventually } from '../../test/conformance/conformance-world.js';
import { EndpointsDns } from './endpoints-dns.js';
import { PODS } from './kube-api.js';

const WEB = kubernetesReplicasDnsName('web', FAKE_NAMESPACE);
const SHOP = kubernetesReplicasDnsName('shop', FAKE_NAMESPACE);

/** What a client sees: the sorted addresses, or the resolver's error code (ENOTFOUND is NXDOMAIN). */
async function ask(server: string, name: string, type: 'A' | 'AAAA' = 'A'): Promise<string> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 }); // a new one each time: nothing cached
  resolver.setServers([server]);
  try {
    const addresses = type === 'A' ? await resolver.resolve4(name) : await resolver.resolve6(name);
    return addresses.sort().join(' ');
  } catch (error) {
    return (error as { code: string }).code;
  }
}

async function startWorld(t: { after: (fn: () => unknown) => void }, relistMs?: number) {
  const world = await startFakeBackend({ watchTimeoutSeconds: 5 });
  const dns = new EndpointsDns({ namespace: FAKE_NAMESPACE });
  const { address, port } = await dns.listen('127.0.0.1', 0);
  const errors: unknown[] = [];
  const stopFeed = world.backend.feedEndpoints((table) => dns.setTable(table), { relistMs, onError: (error) => errors.push(error) });
  t.after(async () => {
    stopFeed();
    await dns.close();
    await world.close();
  });
  const server = `${address}:${port}`;
  const shows = (name: string, expected: string) => eventually(`${name} answers ${expected}`, async () => ((await ask(server, name)) === expected ? true : undefined), 5000);
  return { ...world, dns, server, errors, shows };
}

/** A pod as the Deployment controller would create it (pending: no status yet). */
async function createPod(world: FakeBackend, name: string, owner: string, component: 'api' | 'haproxy' = 'api'): Promise<void> {
  await world.api.create<V1Pod>(PODS, {
    metadata: { name, namespace: FAKE_NAMESPACE, labels: ownerLabels(owner, component) },
    spec: { containers: [{ name: component, image: 'bso-hello-api:latest' }] },
  });
}

/** What the kubelet reports: phase, address and the Ready condition. */
function setStatus(world: FakeBackend, name: string, status: { phase?: string; podIP?: string; ready?: boolean }): void {
  world.fake.write('pods', FAKE_NAMESPACE, name, (pod) => {
    pod.status = {
      phase: status.phase ?? 'Running',
      ...(status.podIP ? { podIP: status.podIP, podIPs: [{ ip: status.podIP }] } : {}),
      conditions: [{ type: 'Ready', status: status.ready === false ? 'False' : 'True' }],
    };
  });
}

test('the endpoints DNS answers the running API pods of each BalancedService (Ready or not), following pods as they change', async (t) => {
  const world = await startWorld(t);
  const { server, shows } = world;
  await shows(WEB, 'ENOTFOUND');

  await createPod(world, 'web-api-1', 'web');
  await createPod(world, 'web-api-2', 'web');
  await createPod(world, 'web-haproxy-1', 'web', 'haproxy');
  await createPod(world, 'shop-api-1', 'shop');
  setStatus(world, 'web-api-1', { phase: 'Pending', podIP: '10.1.0.9', ready: false });
  setStatus(world, 'web-haproxy-1', { podIP: '10.1.0.50' });
  setStatus(world, 'shop-api-1', { podIP: '10.2.0.1' });
  await shows(SHOP, '10.2.0.1'); // events come in order: the feed has seen the two before too
  // A pod without an address (web-api-2), pending (web-api-1), or not an API replica: no endpoint.
  assert.equal(await ask(server, WEB), 'ENOTFOUND');

  // Running and not Ready yet: HAProxy must see it, its readinessProbe waits for HAProxy's checks.
  setStatus(world, 'web-api-1', { podIP: '10.1.0.9', ready: false });
  await shows(WEB, '10.1.0.9');
  setStatus(world, 'web-api-2', { podIP: '10.1.0.10' });
  await shows(WEB, '10.1.0.10 10.1.0.9');
  assert.equal(await ask(server, WEB.toUpperCase()), '10.1.0.10 10.1.0.9', 'any letter case');
  assert.equal(await ask(server, WEB, 'AAAA'), 'ENODATA', 'the name exists, with no IPv6 record');
  assert.equal(await ask(server, kubernetesReplicasDnsName('web', 'other-namespace')), 'EREFUSED', 'another namespace is not its zone');
  assert.equal(await ask(server, 'example.com'), 'EREFUSED');

  const requests = world.fake.requests.length;
  for (let i = 0; i < 20; i++) assert.equal(await ask(server, WEB), '10.1.0.10 10.1.0.9');
  assert.equal(world.fake.requests.length, requests, 'queries are answered from memory, never from the API');

  world.fake.write('pods', FAKE_NAMESPACE, 'web-api-2', (pod) => { pod.metadata.deletionTimestamp = new Date().toISOString(); }); // terminating
  await shows(WEB, '10.1.0.9');
  setStatus(world, 'web-api-1', { phase: 'Failed', podIP: '10.1.0.9', ready: false }); // its container exited for good
  await shows(WEB, 'ENOTFOUND');
  await world.api.remove(PODS, 'shop-api-1');
  await shows(SHOP, 'ENOTFOUND');
  setStatus(world, 'web-api-1', { podIP: '10.1.0.9' });
  await shows(WEB, '10.1.0.9');
  assert.deepEqual(world.errors, []);
  assert.ok(world.fake.requests.some((r) => r.verb === 'watch' && r.resource === 'pods'), 'fed by a watch');
});

test('the pod feed lists again every relistMs, and keeps its last answers while the API is away', async (t) => {
  const world = await startWorld(t, 300);
  await createPod(world, 'web-api-1', 'web');
  setStatus(world, 'web-api-1', { podIP: '10.1.0.9' });
  await world.shows(WEB, '10.1.0.9');
  const lists = () => world.fake.requests.filter((r) => r.verb === 'list' && r.resource === 'pods').length;
  const before = lists();
  await eventually('two more lists of pods', async () => (lists() >= before + 2 ? true : undefined), 5000);

  await world.fake.close();
  await eventually('the feed reports the API away', async () => (world.errors.length > 0 ? true : undefined), 10_000);
  assert.equal(await ask(world.server, WEB), '10.1.0.9', 'the last table still answers');
});
