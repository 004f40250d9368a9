// The real Reconciler on the Kubernetes backend against the FAKE Kubernetes API server: a spec
// stored by a user (bso apply) converges in one reconcile, the next reconcile writes nothing,
// status and Events land on the resource, and every request the operator made is allowed by
// its RBAC Role (permissions.ts, which the deploy/k8s test holds the manifests to). Loopback
// only; operator/kubernetes/*.k8s.test.ts do the same against a real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAKE_NAMESPACE, startFakeBackend } from '../../test/fakes/kube-apiserver/fake-backend.js';
import type { RecordedRequest } from '../../test/fakes/kube-apiserver/fake-kube-apiserver.js';
import { OPERATOR_URL, specFor, eventually } from '../../test/conformance/conformance-world.js';
import { apiServiceName, haproxyServiceName, kubernetesReplicasDnsName } from '../../contract/names.js';
import { OperatorMetrics } from '../metrics.js';
import { Reconciler } from '../reconciler.js';
import { configRenderer } from '../render-for-operator.js';
import { allows, EDITOR_PERMISSIONS, OPERATOR_PERMISSIONS } from './permissions.js';
import { BALANCED_SERVICES } from './kube-api.js';

const WRITES = new Set(['create', 'update', 'patch', 'delete']);
/** Writes to what bso orchestrates; status and Events are reports, not changes. */
const isObjectWrite = (r: RecordedRequest) => WRITES.has(r.verb) && r.resource !== 'balancedservices/status' && r.resource !== 'events';

test('the Reconciler converges a spec on Kubernetes, then writes nothing; the operator stays within its RBAC Role', async (t) => {
  const { fake, backend, close } = await startFakeBackend({ eventRepeatUpdateMs: 0 });
  t.after(close);
  await backend.putSpec(specFor('web', {}, { port: 8000, replicas: 3 }));
  assert.ok(fake.requests.every((r) => allows(EDITOR_PERMISSIONS, r)), 'bso apply needs only the editor rules');
  fake.requests.length = 0;

  const control = await backend.ensureControlPlane(OPERATOR_URL);
  const reconciler = new Reconciler({
    backend, control, metrics: new OperatorMetrics(),
    renderConfig: configRenderer({ kind: 'kubernetes', namespace: backend.namespace }),
  });
  await reconciler.reconcile('web');
  assert.equal((fake.get('deployments', FAKE_NAMESPACE, apiServiceName('web'))!.spec as { replicas: number }).replicas, 3);
  assert.ok(fake.get('services', FAKE_NAMESPACE, haproxyServiceName('web')));
  const budget = () => fake.get('poddisruptionbudgets', FAKE_NAMESPACE, apiServiceName('web')) as { apiVersion: string; spec: { maxUnavailable: number } } | undefined;
  assert.deepEqual([budget()?.apiVersion, budget()?.spec.maxUnavailable], ['policy/v1', 1], 'three API replicas have a disruption budget');
  assert.equal(fake.get('poddisruptionbudgets', FAKE_NAMESPACE, haproxyServiceName('web')), undefined, 'one HAProxy has none');
  assert.match(reconciler.configs.get('web')!.text, new RegExp(kubernetesReplicasDnsName('web', FAKE_NAMESPACE).replaceAll('.', '\\.')));

  const before = fake.requests.length;
  await reconciler.reconcile('web');
  assert.deepEqual(fake.requests.slice(before).filter(isObjectWrite), [], 'an unchanged spec causes zero writes');

  // Drift by another client: the Deployment scaled, the HAProxy Service's type changed, the budget loosened.
  fake.write('deployments', FAKE_NAMESPACE, apiServiceName('web'), (o) => { (o.spec as { replicas: number }).replicas = 9; });
  fake.write('services', FAKE_NAMESPACE, haproxyServiceName('web'), (o) => { (o.spec as { type: string }).type = 'NodePort'; });
  fake.write('poddisruptionbudgets', FAKE_NAMESPACE, apiServiceName('web'), (o) => { (o['spec'] as { maxUnavailable: number }).maxUnavailable = 2; });
  await reconciler.reconcile('web');
  assert.equal(budget()?.spec.maxUnavailable, 1, 'budget restored');
  assert.equal((fake.get('deployments', FAKE_NAMESPACE, apiServiceName('web'))!.spec as { replicas: number }).replicas, 3, 'scale reverted');
  assert.equal((fake.get('services', FAKE_NAMESPACE, haproxyServiceName('web'))!.spec as { type: string }).type, 'LoadBalancer', 'type restored');

  // Status and Events on the resource: what kubectl get and kubectl describe show.
  const shown = await eventually('status on the resource', async () => {
    const status = fake.get('balancedservices', FAKE_NAMESPACE, 'web')?.status as { observedGeneration?: number; replicas?: number; conditions?: Array<{ type: string }> } | undefined;
    return status?.conditions?.length === 3 ? status : undefined;
  });
  assert.deepEqual([shown.observedGeneration, shown.replicas], [1, 3]);
  const uid = fake.get('balancedservices', FAKE_NAMESPACE, 'web')!.metadata.uid;
  reconciler.events.record('web', 'Warning', 'Repeated', 'the same thing twice');
  reconciler.events.record('web', 'Warning', 'Repeated', 'the same thing twice'); // a repeat updates its Event
  const events = await eventually('Events about the resource', async () => {
    const about = fake.list('events', FAKE_NAMESPACE).map((e) => e as unknown as { involvedObject: { kind: string; name: string; uid: string }; reason: string; count: number })
      .filter((e) => e.involvedObject.kind === 'BalancedService' && e.involvedObject.name === 'web' && e.involvedObject.uid === uid);
    return about.some((e) => e.reason === 'Repeated' && e.count === 2) && about.some((e) => e.reason === 'CreatedService') ? about : undefined;
  });
  assert.ok(events.length >= 3, `${events.length} events`);
  const stop = backend.watch(() => {}, () => {});
  await eventually('every watch connected', async () => (fake.requests.filter((r) => r.verb === 'watch').length >= 5 ? true : undefined));
  stop();
  await backend.tasks(apiServiceName('web'));
  // The endpoints DNS's pod feed (--endpoints-dns): a list, then a watch of pods.
  const stopFeed = backend.feedEndpoints(() => {});
  await eventually('the pod feed watching', async () => (fake.requests.some((r) => r.verb === 'watch' && r.resource === 'pods') ? true : undefined));
  stopFeed();
  // Leader election: take the Lease, then release it on stop.
  let leading = false;
  const lease = backend.leaderLease('operator-1', { onStartedLeading: () => { leading = true; }, onStoppedLeading: () => {} });
  lease.start();
  await eventually('leading', async () => (leading ? true : undefined));
  await lease.stop();

  // bso delete (editor rules), then the operator removes everything it owns.
  const beforeDelete = fake.requests.length;
  await backend.deleteSpec('web');
  const afterDelete = fake.requests.length;
  await reconciler.reconcile('web');
  await reconciler.reconcile('web');
  assert.deepEqual(await backend.listOwners(), []);
  assert.deepEqual(fake.list('deployments', FAKE_NAMESPACE), []);
  const operatorRequests = [...fake.requests.slice(0, beforeDelete), ...fake.requests.slice(afterDelete)];

  const denied = operatorRequests.filter((r) => !allows(OPERATOR_PERMISSIONS, r));
  assert.deepEqual([...new Set(denied.map((r) => `${r.verb} ${r.group}/${r.resource}`))], [], 'requests the operator Role does not grant');
  const used = new Set(operatorRequests.map((r) => `${r.group}/${r.resource}:${r.verb}`));
  const unused = OPERATOR_PERMISSIONS.flatMap((p) => p.verbs.map((v) => `${p.group}/${p.resource}:${v}`)).filter((k) => !used.has(k));
  assert.deepEqual(unused, [], 'least privilege: every verb the Role grants is used');
});

test('the Reconciler builds a stored spec that lacks its defaulted fields with the defaults; an invalid one is reported on its status and touches nothing', async (t) => {
  const { fake, api, backend, close } = await startFakeBackend();
  t.after(close);
  const applied = specFor('sparse', {}, { port: 8100 });
  const minimal = { image: applied.spec.image, haproxy: { port: 8100, statsPort: 8101 } };
  await api.create(BALANCED_SERVICES, { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: 'sparse', namespace: FAKE_NAMESPACE }, spec: minimal } as never);
  await api.create(BALANCED_SERVICES, {
    apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: 'broken', namespace: FAKE_NAMESPACE },
    spec: { ...minimal, replicas: -1, haproxy: { port: 8200, statsPort: 8201 } },
  } as never);
  const control = await backend.ensureControlPlane(OPERATOR_URL);
  const reconciler = new Reconciler({
    backend, control, metrics: new OperatorMetrics(),
    renderConfig: configRenderer({ kind: 'kubernetes', namespace: backend.namespace }),
  });

  await reconciler.reconcile('sparse');
  const deployment = fake.get('deployments', FAKE_NAMESPACE, apiServiceName('sparse'))! as unknown as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } };
  const env = Object.fromEntries(deployment.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
  assert.deepEqual([env['BSO_MAINT_AT'], env['BSO_READY_AT'], env['AGENT_PORT'], env['BSO_SMOOTHING']], ['80', '60', '9999', '1s'], 'the defaults, not "undefined"');

  const writesBefore = fake.requests.filter(isObjectWrite).length;
  await reconciler.reconcile('broken');
  assert.equal(fake.requests.filter(isObjectWrite).length, writesBefore, 'an invalid stored spec writes nothing');
  const invalid = reconciler.statuses.get('broken')!.conditions.find((c) => c.type === 'Degraded')!;
  assert.equal(invalid.reason, 'SpecInvalid');
  assert.match(invalid.message, /balancedservice bso-test\/broken:\d+:\d+: spec\.replicas: /);
  const shown = await eventually('the issue on the resource\'s status', async () => {
    const status = fake.get('balancedservices', FAKE_NAMESPACE, 'broken')?.status as { conditions?: Array<{ type: string; reason: string }> } | undefined;
    return status?.conditions?.find((c) => c.type === 'Degraded');
  });
  assert.equal(shown.reason, 'SpecInvalid');
  await reconciler.stop();
});
