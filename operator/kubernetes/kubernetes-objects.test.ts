// What only the Kubernetes backend has, by the objects on the FAKE Kubernetes API server:
// their shapes, drift made by another client, the status subresource, specs created with
// kubectl, pods as tasks, watch resumption. Loopback only.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment, V1NetworkPolicy, V1Secret, V1Service } from '@kubernetes/client-node';
import { FAKE_NAMESPACE, startFakeBackend } from '../../test/fakes/kube-apiserver/fake-backend.js';
import { isBsoError } from '../../lib/errors.js';
import { converge, eventually, OPERATOR_URL, specFor, wantedNames } from '../../test/conformance/conformance-world.js';
import { desiredStateFor } from '../core/desired-state.js';
import { apiServiceName, haproxyServiceName, LABEL_COMPONENT, LABEL_OWNER, LABEL_REVISION, networkName, statsSecretName } from '../../contract/names.js';
import { planFor } from '../core/plan.js';
import { validStoredObject } from '../backend.js';
import { SECRET_FILE_KEY } from './deployment-spec.js';
import { BALANCED_SERVICES, PODS, SERVICES } from './kube-api.js';
import { TOKEN_SECRET } from './owned-objects.js';

async function deployedWorld(t: TestContext, name = 'shop', options: Parameters<typeof startFakeBackend>[0] = {}) {
  const world = await startFakeBackend(options);
  t.after(() => world.close());
  const control = await world.backend.ensureControlPlane(OPERATOR_URL);
  await world.backend.putSpec(specFor(name, {}, { port: 8000, replicas: 2 }));
  const desired = desiredStateFor(validStoredObject((await world.backend.getSpec(name))!), control);
  await converge(world.backend, name, desired);
  return { ...world, desired, name };
}

test('objects: Deployments with headless and LoadBalancer Services, a NetworkPolicy and Secrets, all labelled', async (t) => {
  const { fake, name } = await deployedWorld(t);
  const get = <T>(plural: string, n: string) => fake.get(plural, FAKE_NAMESPACE, n) as unknown as T;
  const api = get<V1Deployment>('deployments', apiServiceName(name));
  assert.equal(api.spec!.replicas, 2);
  assert.equal(get<V1Service>('services', apiServiceName(name)).spec!.clusterIP, 'None');
  const haproxy = get<V1Service>('services', haproxyServiceName(name));
  assert.deepEqual([haproxy.spec!.type, haproxy.spec!.ports!.map((p) => p.port)], ['LoadBalancer', [8000, 8001]]);
  const policy = get<V1NetworkPolicy>('networkpolicies', networkName(name)) as V1NetworkPolicy & { spec: { ingress: Array<{ from: unknown }> } };
  assert.deepEqual(policy.spec.podSelector?.matchLabels, { [LABEL_OWNER]: name, [LABEL_COMPONENT]: 'api' });
  assert.deepEqual(policy.spec.ingress[0]!.from, [{ podSelector: { matchLabels: { [LABEL_OWNER]: name } } }], 'the wire name is from, not _from');
  const stats = get<V1Secret>('secrets', statsSecretName(name));
  assert.match(Buffer.from(stats.data![SECRET_FILE_KEY]!, 'base64').toString(), /^admin:\S{20,}$/);
  assert.ok(get<V1Secret>('secrets', TOKEN_SECRET).data![SECRET_FILE_KEY]);
  for (const plural of ['deployments', 'services', 'secrets', 'networkpolicies']) {
    for (const o of fake.list(plural, FAKE_NAMESPACE).filter((x) => x.metadata.name !== TOKEN_SECRET)) {
      assert.equal(o.metadata.labels?.[LABEL_OWNER], name, `${plural}/${o.metadata.name}`);
    }
  }
});

test('a Deployment scaled and a headless Service deleted by another client are both corrected', async (t) => {
  const { fake, api, backend, desired, name } = await deployedWorld(t);
  fake.write('deployments', FAKE_NAMESPACE, apiServiceName(name), (o) => { (o.spec as { replicas: number }).replicas = 7; });
  await api.remove(SERVICES, apiServiceName(name));
  const observed = await backend.observe(name, wantedNames(desired));
  assert.deepEqual(planFor(name, desired, observed.owned, observed.byName).actions.map((a) => `${a.type} ${a.kind} ${a.type === 'update' ? a.reason : ''}`), ['update service replicas drifted to 7 (want 2)']);
  await converge(backend, name, desired);
  assert.equal((fake.get('deployments', FAKE_NAMESPACE, apiServiceName(name))!.spec as { replicas: number }).replicas, 2);
  assert.equal((fake.get('services', FAKE_NAMESPACE, apiServiceName(name)) as V1Service).spec!.clusterIP, 'None', 'recreated');
});

test('a foreign Service beside our Deployment is a conflict and is never written', async (t) => {
  const { fake, api, backend, desired, name } = await deployedWorld(t);
  await api.remove(SERVICES, haproxyServiceName(name));
  await api.create(SERVICES, { metadata: { name: haproxyServiceName(name), labels: { app: 'someone-else' } }, spec: { ports: [{ port: 1 }] } } as V1Service);
  const before = fake.get('services', FAKE_NAMESPACE, haproxyServiceName(name))!;
  const observed = await backend.observe(name, wantedNames(desired));
  const plan = planFor(name, desired, observed.owned, observed.byName);
  assert.deepEqual(plan.conflicts.map((c) => c.name), [haproxyServiceName(name)]);
  for (const action of plan.actions) await backend.execute(action);
  assert.deepEqual(fake.get('services', FAKE_NAMESPACE, haproxyServiceName(name)), before, 'untouched');
});

test('writeStatus fills the status subresource without a new generation; getSpec never returns status', async (t) => {
  const { fake, backend, name } = await deployedWorld(t);
  const generation = (await backend.getSpec(name))!.generation;
  await backend.writeStatus(name, { observedGeneration: generation, replicas: 2, readyReplicas: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message: '1/2' }] });
  const stored = fake.get('balancedservices', FAKE_NAMESPACE, name)!;
  assert.deepEqual((stored.status as { readyReplicas: number }).readyReplicas, 1);
  assert.equal(stored.metadata.generation, generation);
  const read = await backend.getSpec(name);
  assert.equal(read!.generation, generation);
  assert.equal((validStoredObject(read!) as { status?: unknown }).status, undefined);
  await assert.rejects(backend.writeStatus('missing', {}), (e: unknown) => isBsoError(e, 'BSO_NOT_FOUND'));
});

test('a BalancedService created with kubectl (only the image) reads back with every default; kubectl annotations are hidden', async (t) => {
  const world = await startFakeBackend();
  t.after(() => world.close());
  await world.api.create(BALANCED_SERVICES, {
    apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService',
    metadata: { name: 'plain', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}\n', team: 'web' } },
    spec: { image: 'bso-hello-api:latest' },
  } as never);
  const stored = validStoredObject((await world.backend.getSpec('plain'))!);
  assert.equal(stored.spec.replicas, 2);
  assert.equal(stored.spec.haproxy.port, 80);
  assert.deepEqual(stored.metadata.annotations, { team: 'web' });
  const again = await world.backend.putSpec(stored);
  assert.equal(again.changed, false, 'applying what is stored (defaults included) writes nothing');
  const changed = structuredClone(stored);
  changed.spec.replicas = 3;
  assert.equal((await world.backend.putSpec(changed)).changed, true);
  const annotations = world.fake.get('balancedservices', FAKE_NAMESPACE, 'plain')!.metadata.annotations as Record<string, string>;
  assert.equal(annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"a":1}\n', 'tool annotations survive an apply');
  assert.equal(annotations.team, 'web');
});

test('putSpec refuses a spec for another namespace', async (t) => {
  const world = await startFakeBackend();
  t.after(() => world.close());
  const spec = specFor('other');
  spec.metadata.namespace = 'elsewhere';
  await assert.rejects(world.backend.putSpec(spec), (e: unknown) => isBsoError(e, 'BSO_SPEC_INVALID') && /namespace/.test((e as Error).message));
});

test('replicaCounts reads the Deployment status, tasks reads its pods', async (t) => {
  const { fake, api, backend, name } = await deployedWorld(t);
  fake.write('deployments', FAKE_NAMESPACE, apiServiceName(name), (o) => { o.status = { replicas: 2, readyReplicas: 1 }; });
  assert.deepEqual(await backend.replicaCounts(apiServiceName(name)), { desired: 2, running: 1 });
  assert.deepEqual(await backend.replicaCounts('missing'), { desired: 0, running: 0 });
  for (const pod of ['b', 'a']) {
    await api.create(PODS, { metadata: { name: `${name}-api-${pod}`, labels: { [LABEL_OWNER]: name, [LABEL_COMPONENT]: 'api' } }, spec: { nodeName: 'node-1', containers: [] } });
    fake.write('pods', FAKE_NAMESPACE, `${name}-api-${pod}`, (o) => { o.status = { phase: 'Running', podIP: `10.0.0.${pod === 'a' ? 1 : 2}`, containerStatuses: [{ containerID: `containerd://${pod}` }] }; });
  }
  await api.create(PODS, { metadata: { name: 'unrelated', labels: { [LABEL_OWNER]: name, [LABEL_COMPONENT]: 'haproxy' } }, spec: { containers: [] } });
  fake.write('pods', FAKE_NAMESPACE, `${name}-api-a`, (o) => { o.metadata.labels = { ...o.metadata.labels, [LABEL_REVISION]: 'abc123' }; });
  const tasks = await backend.tasks(apiServiceName(name));
  assert.deepEqual(tasks.map((task) => [task.state, task.node, task.address, task.containerId, task.revision]).sort(), [
    ['running', 'node-1', '10.0.0.1', 'containerd://a', 'abc123'], ['running', 'node-1', '10.0.0.2', 'containerd://b', undefined],
  ]);
  assert.deepEqual(tasks.map((task) => task.slot), [1, 2]);
});

test('watch resumes after the server ends each watch, and relists (hinting "anything") after 410 Gone', async (t) => {
  const world = await startFakeBackend({ watchTimeoutSeconds: 1 });
  t.after(() => world.close());
  const hints: Array<string | undefined> = [];
  const errors: unknown[] = [];
  const stop = world.backend.watch((h) => hints.push(h), (e) => errors.push(e));
  t.after(stop);
  await eventually('every watch connected', async () => (world.fake.requests.filter((r) => r.verb === 'watch').length >= 5 ? true : undefined));
  const connected = world.fake.requests.filter((r) => r.verb === 'watch').length;
  await eventually('watches resumed after their timeout', async () => (world.fake.requests.filter((r) => r.verb === 'watch').length >= connected + 5 ? true : undefined));
  await world.backend.putSpec(specFor('late'));
  await eventually('a hint for a spec stored after a resumption', async () => (hints.includes('late') ? true : undefined));
  world.fake.compactHistory();
  await world.backend.putSpec(specFor('late', {}, { replicas: 3 }));
  await eventually('a relist after 410 hints "anything may have changed"', async () => (hints.includes(undefined) ? true : undefined));
  assert.deepEqual(errors, []);
});

test('a Deployment past its progress deadline: observe names its revision as failed, the plan holds it (drift included) until the spec asks for another revision', async (t) => {
  const { fake, backend, desired, name } = await deployedWorld(t);
  const apiName = apiServiceName(name);
  const revision = desired.services.find((s) => s.name === apiName)!.labels[LABEL_REVISION]!;
  const exceeded = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${apiName}-5d9c" has timed out progressing.` };
  await eventually('the Deployment controller saw the template', async () => ((fake.get('deployments', FAKE_NAMESPACE, apiName)!.status as { observedGeneration?: number } | undefined)?.observedGeneration ? true : undefined));
  fake.write('deployments', FAKE_NAMESPACE, apiName, (o) => { (o.spec as { replicas: number }).replicas = 5; }); // drift that would otherwise be corrected
  fake.write('deployments', FAKE_NAMESPACE, apiName, (o) => { o.status = { observedGeneration: o.metadata.generation, conditions: [exceeded] }; });
  const observed = await backend.observe(name, wantedNames(desired));
  const service = observed.owned.find((o) => o.name === apiName)!;
  assert.equal(service.failedRevision?.revision, revision);
  assert.match(service.failedRevision!.message, /timed out progressing/);
  const plan = planFor(name, desired, observed.owned, observed.byName);
  assert.deepEqual(plan.actions, [], 'a failed revision is not applied again');
  assert.deepEqual(plan.held.map((h) => [h.service, h.failed.revision]), [[apiName, revision]]);
  // HAProxy's Deployment past Kubernetes' own deadline is not held: only the API replicas' rollout is bso's.
  fake.write('deployments', FAKE_NAMESPACE, haproxyServiceName(name), (o) => { o.status = { observedGeneration: o.metadata.generation, conditions: [exceeded] }; });
  assert.equal((await backend.observe(name, wantedNames(desired))).owned.find((o) => o.name === haproxyServiceName(name))!.failedRevision, undefined);

  // A spec with another revision (a new image) rolls out again.
  const control = await backend.ensureControlPlane(OPERATOR_URL);
  await backend.putSpec(specFor(name, { api: 'bso-hello-api:fixed' }, { port: 8000, replicas: 2 }));
  const fixed = desiredStateFor(validStoredObject((await backend.getSpec(name))!), control);
  assert.notEqual(fixed.services.find((s) => s.name === apiName)!.labels[LABEL_REVISION], revision);
  const again = await backend.observe(name, wantedNames(fixed));
  assert.deepEqual(planFor(name, fixed, again.owned, again.byName).actions.map((a) => `${a.type} ${a.kind} ${'service' in a ? a.service.name : ''}`), [`update service ${apiName}`]);
});
