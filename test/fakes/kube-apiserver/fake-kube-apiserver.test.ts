// The FAKE Kubernetes API server behaves like the real one where bso depends on it. Plain
// fetch here, so these tests do not depend on bso's own client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/ns1/deployments';
const deployment = (name: string, replicas: number, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels }, spec: { replicas },
});

async function call(fake: FakeKubeApiServer, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${fake.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': contentType } });
  return { code: response.status, body: (await response.json()) as { metadata: { resourceVersion: string; generation?: number; uid: string }; reason?: string; items?: Array<{ metadata: { name: string } }>; status?: unknown } };
}

test('fake: create, get, update with resourceVersion, conflicts, generation only on spec changes', async (t) => {
  const fake = await FakeKubeApiServer.start({ deploymentController: false });
  t.after(() => fake.close());
  const created = await call(fake, 'POST', DEPLOYMENTS, deployment('a', 1));
  assert.equal(created.code, 201);
  assert.equal(created.body.metadata.generation, 1);
  assert.equal((await call(fake, 'POST', DEPLOYMENTS, deployment('a', 1))).body.reason, 'AlreadyExists');
  assert.equal((await call(fake, 'GET', `${DEPLOYMENTS}/missing`)).code, 404);

  const rv = created.body.metadata.resourceVersion;
  const scaled = await call(fake, 'PUT', `${DEPLOYMENTS}/a`, { ...deployment('a', 3), metadata: { name: 'a', resourceVersion: rv } });
  assert.equal(scaled.code, 200);
  assert.equal(scaled.body.metadata.generation, 2);
  assert.notEqual(scaled.body.metadata.resourceVersion, rv);
  const stale = await call(fake, 'PUT', `${DEPLOYMENTS}/a`, { ...deployment('a', 4), metadata: { name: 'a', resourceVersion: rv } });
  assert.equal(stale.code, 409);
  assert.equal(stale.body.reason, 'Conflict');

  const relabelled = await call(fake, 'PUT', `${DEPLOYMENTS}/a`, { ...deployment('a', 3, { x: 'y' }) });
  assert.equal(relabelled.body.metadata.generation, 2, 'labels are not spec');
  const noop = await call(fake, 'PUT', `${DEPLOYMENTS}/a`, { ...deployment('a', 3, { x: 'y' }), metadata: { name: 'a', labels: { x: 'y' }, resourceVersion: relabelled.body.metadata.resourceVersion } });
  assert.equal(noop.body.metadata.resourceVersion, relabelled.body.metadata.resourceVersion, 'an unchanged object keeps its resourceVersion');
});

test('fake: status subresource, label selectors, delete preconditions', async (t) => {
  const fake = await FakeKubeApiServer.start({ deploymentController: false });
  t.after(() => fake.close());
  await call(fake, 'POST', DEPLOYMENTS, deployment('a', 1, { app: 'x' }));
  const b = await call(fake, 'POST', DEPLOYMENTS, deployment('b', 1, { app: 'y' }));
  const status = await call(fake, 'PUT', `${DEPLOYMENTS}/b/status`, { ...deployment('b', 9), status: { readyReplicas: 1 } });
  assert.deepEqual(status.body.status, { readyReplicas: 1 });
  assert.equal(fake.get('deployments', 'ns1', 'b')!.spec && (fake.get('deployments', 'ns1', 'b')!.spec as { replicas: number }).replicas, 1, 'status writes leave spec alone');
  const ignored = await call(fake, 'PUT', `${DEPLOYMENTS}/b`, { ...deployment('b', 1, { app: 'y' }), status: { readyReplicas: 7 } });
  assert.deepEqual(ignored.body.status, { readyReplicas: 1 }, 'the main resource ignores status');

  const names = async (selector: string) => (await call(fake, 'GET', `${DEPLOYMENTS}?labelSelector=${encodeURIComponent(selector)}`)).body.items!.map((i) => i.metadata.name);
  assert.deepEqual(await names('app=x'), ['a']);
  assert.deepEqual(await names('app'), ['a', 'b']);
  assert.deepEqual(await names('app!=x'), ['b']);
  assert.deepEqual(await names('!app'), []);
  assert.equal((await call(fake, 'GET', `${DEPLOYMENTS}?labelSelector=${encodeURIComponent('app in (x)')}`)).code, 400);

  assert.equal((await call(fake, 'DELETE', `${DEPLOYMENTS}/b`, { preconditions: { uid: 'other' } })).code, 409);
  assert.equal((await call(fake, 'DELETE', `${DEPLOYMENTS}/b`, { preconditions: { uid: b.body.metadata.uid } })).code, 200);
  assert.equal((await call(fake, 'DELETE', `${DEPLOYMENTS}/b`)).code, 404);
});

test('fake: watch replays history after a resourceVersion, streams live events, and answers 410 after compaction', async (t) => {
  const fake = await FakeKubeApiServer.start({ deploymentController: false });
  t.after(() => fake.close());
  const first = await call(fake, 'POST', DEPLOYMENTS, deployment('a', 1, { app: 'x' }));
  await call(fake, 'POST', DEPLOYMENTS, deployment('b', 1, { app: 'y' }));
  const controller = new AbortController();
  t.after(() => controller.abort());
  const response = await fetch(`${fake.url}${DEPLOYMENTS}?watch=true&labelSelector=app&resourceVersion=${first.body.metadata.resourceVersion}`, { signal: controller.signal });
  const reader = response.body!.getReader();
  const lines: string[] = [];
  let buffer = '';
  const next = async () => {
    while (!buffer.includes('\n')) buffer += new TextDecoder().decode((await reader.read()).value);
    const at = buffer.indexOf('\n');
    const line = buffer.slice(0, at);
    buffer = buffer.slice(at + 1);
    lines.push(line);
    return JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
  };
  const replayed = await next();
  assert.deepEqual([replayed.type, replayed.object.metadata.name], ['ADDED', 'b']);
  await call(fake, 'DELETE', `${DEPLOYMENTS}/a`);
  const live = await next();
  assert.deepEqual([live.type, live.object.metadata.name], ['DELETED', 'a']);

  fake.compactHistory();
  const gone = await fetch(`${fake.url}${DEPLOYMENTS}?watch=true&resourceVersion=${first.body.metadata.resourceVersion}`);
  const event = JSON.parse((await gone.text()).trim()) as { type: string; object: { code: number } };
  assert.deepEqual([event.type, event.object.code], ['ERROR', 410]);
});

test('fake: a token is required when configured', async (t) => {
  const fake = await FakeKubeApiServer.start({ token: 's3cret' });
  t.after(() => fake.close());
  assert.equal((await fetch(`${fake.url}${DEPLOYMENTS}`)).status, 401);
  assert.equal((await fetch(`${fake.url}${DEPLOYMENTS}`, { headers: { authorization: 'Bearer s3cret' } })).status, 200);
  assert.deepEqual(fake.requests.map((r) => [r.verb, r.resource, r.code]), [['list', 'deployments', 200]]);
});

test('fake: built-in kinds are decoded strictly (unknown fields, wrong types); custom resources are not checked', async (t) => {
  const fake = await FakeKubeApiServer.start();
  t.after(() => fake.close());
  const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: { podSelector: {}, ingress: [{ _from: [] }] } };
  const refused = await call(fake, 'POST', '/apis/networking.k8s.io/v1/namespaces/ns1/networkpolicies', policy);
  assert.equal(refused.code, 400);
  assert.match((refused.body as unknown as { message: string }).message, /\.spec\.ingress\[0\]\._from: unknown field/);
  const typed = await call(fake, 'POST', DEPLOYMENTS, { ...deployment('d', 1), spec: { replicas: '1' } });
  assert.match((typed.body as unknown as { message: string }).message, /\.spec\.replicas: must be a number/);
  const wrongKind = await call(fake, 'POST', DEPLOYMENTS, { ...deployment('d', 1), kind: 'Service' });
  assert.equal(wrongKind.code, 400);
  const custom = await call(fake, 'POST', '/apis/bso.dev/v1alpha1/namespaces/ns1/balancedservices', { metadata: { name: 'b' }, spec: { anything: true } });
  assert.equal(custom.code, 201);
});

test('fake label selectors: equality forms', () => {
  const labels = { a: '1', b: '2' };
  assert.equal(matchesLabels(parseLabelSelector('a=1,b==2'), labels), true);
  assert.equal(matchesLabels(parseLabelSelector('a=1,b!=2'), labels), false);
  assert.equal(matchesLabels(parseLabelSelector('c!=1,!c,a'), labels), true);
  assert.equal(matchesLabels(parseLabelSelector(''), undefined), true);
});

const APPLY = 'application/apply-patch+yaml';

test('fake: server-side apply creates, sets only the fields it carries, removes what its manager dropped, and conflicts unless forced', async (t) => {
  const fake = await FakeKubeApiServer.start({ deploymentController: false });
  t.after(() => fake.close());
  const mine = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labels: { app: 'a', tier: 'web' } }, spec: { replicas: 2 } };
  const created = await call(fake, 'PATCH', `${DEPLOYMENTS}/a?fieldManager=bso`, mine, APPLY);
  assert.equal(created.code, 201);
  assert.equal(created.body.metadata.generation, 1);
  assert.equal((await call(fake, 'PATCH', `${DEPLOYMENTS}/a`, mine, APPLY)).code, 400, 'a field manager is required');
  assert.equal((await call(fake, 'PATCH', `${DEPLOYMENTS}/a?fieldManager=bso`, mine)).code, 415, 'only apply patches');

  // Someone else labels it and sets replicas: their label survives bso's next apply; replicas conflicts.
  const theirs = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labels: { owner: 'ops' } }, spec: { replicas: 5 } };
  const refused = await call(fake, 'PATCH', `${DEPLOYMENTS}/a?fieldManager=ops`, theirs, APPLY);
  assert.equal(refused.code, 409, 'replicas is bso\'s');
  assert.equal((await call(fake, 'PATCH', `${DEPLOYMENTS}/a?fieldManager=ops&force=true`, theirs, APPLY)).code, 200);
  const dropped = { ...mine, metadata: { name: 'a', labels: { app: 'a' } } };
  const again = await call(fake, 'PATCH', `${DEPLOYMENTS}/a?fieldManager=bso&force=true`, dropped, APPLY);
  const labels = (again.body.metadata as unknown as { labels: Record<string, string> }).labels;
  assert.deepEqual(labels, { app: 'a', owner: 'ops' }, 'bso dropped tier; ops\'s label stays');
  assert.equal((again.body as unknown as { spec: { replicas: number } }).spec.replicas, 2, 'forced back');
  const stale = await call(fake, 'PATCH', `${DEPLOYMENTS}/a?fieldManager=bso`, { ...dropped, metadata: { ...dropped.metadata, resourceVersion: created.body.metadata.resourceVersion } }, APPLY);
  assert.equal(stale.code, 409, 'a resourceVersion in the applied object is a precondition');
});

test('fake: the Deployment controller writes status after a spec change, bumping the resourceVersion but not the generation', async (t) => {
  const fake = await FakeKubeApiServer.start();
  t.after(() => fake.close());
  const created = await call(fake, 'POST', DEPLOYMENTS, deployment('a', 2));
  let seen = created.body;
  for (let i = 0; i < 100 && seen.status === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    seen = (await call(fake, 'GET', `${DEPLOYMENTS}/a`)).body;
  }
  assert.deepEqual(seen.status, { observedGeneration: 1, replicas: 2 });
  assert.notEqual(seen.metadata.resourceVersion, created.body.metadata.resourceVersion);
  assert.equal(seen.metadata.generation, 1);
});

test('fake: API discovery as the real server answers it, enough for client-node\'s generic KubernetesObjectApi to list, read and create', async (t) => {
  const fake = await FakeKubeApiServer.start({ deploymentController: false });
  t.after(() => fake.close());
  const apps = await (await fetch(`${fake.url}/apis/apps/v1`)).json() as { kind: string; groupVersion: string; resources: Array<{ name: string; kind: string; namespaced: boolean }> };
  assert.equal(apps.kind, 'APIResourceList');
  assert.equal(apps.groupVersion, 'apps/v1');
  assert.deepEqual(apps.resources.map((r) => r.name), ['deployments', 'deployments/status']);
  const core = await (await fetch(`${fake.url}/api/v1`)).json() as { groupVersion: string; resources: Array<{ name: string }> };
  assert.equal(core.groupVersion, 'v1');
  assert.ok(core.resources.some((r) => r.name === 'pods'));
  assert.equal((await fetch(`${fake.url}/apis/example.com/v1`)).status, 404);

  const { KubeConfig, KubernetesObjectApi } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }], users: [{ name: 'nobody' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'nobody', namespace: 'ns1' }], currentContext: 'fake',
  });
  const objects = KubernetesObjectApi.makeApiClient(config);
  await objects.create({ ...deployment('b', 2), metadata: { name: 'b', namespace: 'ns1' } });
  const list = await objects.list('apps/v1', 'Deployment', 'ns1');
  assert.deepEqual(list.items.map((d) => d.metadata?.name), ['b']);
  const read = await objects.read<{ apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec?: { replicas?: number } }>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'b', namespace: 'ns1' } });
  assert.equal(read.spec?.replicas, 2);
});
