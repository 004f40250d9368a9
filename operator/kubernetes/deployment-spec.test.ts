import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { desiredStateFor, type DesiredService } from '../core/desired-state.js';
import { LABEL_SPEC_HASH } from '../../contract/names.js';
import { serviceDrift } from '../core/plan.js';
import { specHash } from '../core/spec-hash.js';
import { loadExample } from '../../test/operator/specs.js';
import { ANNOTATION_UNMAPPED, FIELD_MANAGER, fromDeployment, labelsAppliedBy, SECRET_FILE_KEY, toDeployment, UNPRIVILEGED_PORT_START } from './deployment-spec.js';
import { serviceMatches, serviceReplacing, toService } from './service-objects.js';

const OPTIONS = { namespace: 'shop', haproxyServiceType: 'LoadBalancer' as const };
// On Kubernetes the supervisors reach the operator through its Service: no control network.
const CONTROL = { operatorUrl: 'http://bso-operator.bso-system.svc:9464', tokenConfig: 'bso-operator-token' };
const services = () => desiredStateFor(loadExample(), CONTROL).services;
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function observedAs(service: DesiredService, deployment: V1Deployment, companion: V1Service | undefined) {
  return { kind: 'service' as const, id: 'x', name: service.name, labels: deployment.metadata?.labels ?? {}, version: 1, service: fromDeployment(deployment, companion, OPTIONS) };
}

test('fromDeployment(toDeployment(x), toService(x)) is x, through JSON, so an untouched service never looks drifted', () => {
  for (const service of services()) {
    const back = fromDeployment(wire(toDeployment(service, OPTIONS)), wire(toService(service, OPTIONS)), OPTIONS);
    assert.deepEqual(wire(back), wire(service), service.name);
    assert.equal(specHash(back), specHash(service), service.name);
  }
});

test('the round trip is exact for grace periods that are not whole seconds, and for canonical quantities', () => {
  const api = { ...services()[0]!, stopGracePeriodMs: 12_500, limits: { nanoCpus: 1_000_000_000, memoryBytes: 268_435_456 } };
  const deployment = wire(toDeployment(api, OPTIONS));
  assert.equal(deployment.spec!.template.spec!.terminationGracePeriodSeconds, 13);
  // What an API server writes back: "1000m" -> "1", "268435456" -> "256Mi".
  deployment.spec!.template.spec!.containers[0]!.resources!.limits = { cpu: '1', memory: '256Mi' };
  assert.equal(specHash(fromDeployment(deployment, toService(api, OPTIONS), OPTIONS)), specHash(api));
});

test('fields an API server adds by default are not drift', () => {
  for (const service of services()) {
    const deployment = wire(toDeployment(service, OPTIONS)) as V1Deployment & Record<string, unknown>;
    const pod = deployment.spec!.template.spec!;
    Object.assign(deployment.metadata!, { uid: 'u', resourceVersion: '7', generation: 3, annotations: { ...deployment.metadata!.annotations, 'deployment.kubernetes.io/revision': '2' } });
    // Defaults fill only what bso left unset (the API replicas have bso's progress deadline).
    deployment.spec!.progressDeadlineSeconds ??= 600;
    Object.assign(pod, { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {} });
    Object.assign(pod.containers[0]!, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    const probe = pod.containers[0]!.readinessProbe;
    if (probe) Object.assign(probe, { successThreshold: 1, httpGet: { ...probe.httpGet, scheme: 'HTTP' } });
    deployment.status = { replicas: 2, readyReplicas: 1 };
    const companion = wire(toService(service, OPTIONS));
    Object.assign(companion.spec!, { sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    if (service.component === 'haproxy') Object.assign(companion.spec!, { clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'], ports: companion.spec!.ports!.map((p, i) => ({ ...p, nodePort: 30000 + i })) });
    assert.equal(serviceDrift(service, observedAs(service, deployment, companion)), undefined, service.name);
  }
});

test('drift: replicas scaled by hand, a missing or changed companion Service, an edited image or annotation', () => {
  const [api, haproxy] = services() as [DesiredService, DesiredService];
  const cases: Array<[string, DesiredService, (d: V1Deployment, s: V1Service) => V1Service | undefined, RegExp]> = [
    ['scaled', api, (d, s) => { d.spec!.replicas = 5; return s; }, /replicas drifted to 5/],
    ['headless Service deleted', api, () => undefined, /changed outside bso/],
    ['headless Service made a ClusterIP one', api, (_d, s) => { s.spec!.clusterIP = '10.0.0.1'; return s; }, /changed outside bso/],
    ['headless Service publishing ready pods only', api, (_d, s) => { delete s.spec!.publishNotReadyAddresses; return s; }, /changed outside bso/],
    ['HAProxy Service type changed', haproxy, (_d, s) => { s.spec!.type = 'NodePort'; return s; }, /changed outside bso/],
    ['HAProxy port changed', haproxy, (_d, s) => { s.spec!.ports![0]!.port = 81; return s; }, /changed outside bso/],
    ['image edited', api, (d, s) => { d.spec!.template.spec!.containers[0]!.image = 'other:1'; return s; }, /changed outside bso/],
    ['grace period edited', api, (d, s) => { d.spec!.template.spec!.terminationGracePeriodSeconds = 60; return s; }, /changed outside bso/],
    ['annotation removed', haproxy, (d, s) => { delete d.metadata!.annotations![ANNOTATION_UNMAPPED]; return s; }, /changed outside bso/],
    ['spec hash label removed', api, (d, s) => { delete d.metadata!.labels![LABEL_SPEC_HASH]; return s; }, /spec changed/],
  ];
  for (const [what, service, mutate, reason] of cases) {
    const deployment = wire(toDeployment(service, OPTIONS));
    const companion = mutate(deployment, wire(toService(service, OPTIONS)));
    assert.match(serviceDrift(service, observedAs(service, deployment, companion)) ?? 'no drift', reason, what);
  }
});

test('the Deployment: selector by owner and component, no spec hash on pods, files from Secrets, no API token, IfNotPresent', () => {
  const [api, haproxy] = services().map((s) => toDeployment(s, OPTIONS)) as [V1Deployment, V1Deployment];
  assert.deepEqual(api.spec!.selector.matchLabels, { 'bso.dev/balancedservice': 'hello', 'bso.dev/component': 'api' });
  assert.equal(api.spec!.template.metadata!.labels![LABEL_SPEC_HASH], undefined, 'scaling must not restart pods');
  assert.equal(api.spec!.strategy!.rollingUpdate!.maxUnavailable, 0);
  const pod = haproxy.spec!.template.spec!;
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.enableServiceLinks, false);
  assert.equal(pod.containers[0]!.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(pod.containers[0]!.volumeMounts!.map((m) => [m.mountPath, m.subPath]), [
    ['/run/bso/bso-operator-token', SECRET_FILE_KEY], ['/run/secrets/hello-stats-auth', SECRET_FILE_KEY],
  ]);
  assert.deepEqual(pod.volumes!.map((v) => v.secret?.secretName), ['bso-operator-token', 'hello-stats-auth']);
  assert.deepEqual(api.spec!.template.spec!.containers[0]!.resources!.limits, { cpu: '500m', memory: String(256 * 2 ** 20) });
});

test('the Services: headless for the API (HTTP and agent ports), LoadBalancer with local traffic policy for HAProxy', () => {
  const [api, haproxy] = services().map((s) => toService(s, OPTIONS)) as [V1Service, V1Service];
  assert.equal(api.spec!.clusterIP, 'None');
  assert.equal(api.spec!.publishNotReadyAddresses, true, 'HAProxy must see a pod before it is Ready');
  assert.equal(haproxy.spec!.publishNotReadyAddresses, undefined);
  assert.deepEqual(api.spec!.ports!.map((p) => [p.name, p.port]), [['http', 8080], ['agent', 9999]]);
  assert.equal(haproxy.spec!.type, 'LoadBalancer');
  assert.equal(haproxy.spec!.externalTrafficPolicy, 'Local');
  assert.deepEqual(haproxy.spec!.ports!.map((p) => [p.port, p.targetPort]), [[80, 80], [8404, 8404]]);
  const nodePort = toService(services()[1]!, { ...OPTIONS, haproxyServiceType: 'NodePort' });
  assert.equal(nodePort.spec!.type, 'NodePort');
  assert.equal(toService(services()[1]!, { ...OPTIONS, haproxyServiceType: 'ClusterIP' }).spec!.externalTrafficPolicy, undefined);
});

test('replacing a Service keeps the cluster IP and node ports the API server allocated', () => {
  const wanted = toService(services()[1]!, OPTIONS);
  const existing = wire(wanted);
  Object.assign(existing.metadata!, { resourceVersion: '42' });
  Object.assign(existing.spec!, { clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ports: existing.spec!.ports!.map((p, i) => ({ ...p, nodePort: 31000 + i })) });
  const replacing = serviceReplacing({ ...wanted, spec: { ...wanted.spec, externalTrafficPolicy: 'Cluster' } }, existing);
  assert.equal(replacing.metadata!.resourceVersion, '42');
  assert.equal(replacing.spec!.clusterIP, '10.96.0.9');
  assert.deepEqual(replacing.spec!.ports!.map((p) => p.nodePort), [31000, 31001]);
  assert.equal(serviceMatches(wanted, existing), true);
  assert.equal(serviceMatches(replacing, existing), false, 'the traffic policy differs');
});

test('HAProxy listening below 1024 asks for net.ipv4.ip_unprivileged_port_start (it runs as a user, as Docker allows); other pods ask for nothing', () => {
  const [api, haproxy] = [services().find((s) => s.component === 'api')!, services().find((s) => s.component === 'haproxy')!];
  assert.ok(haproxy.ports.some((p) => p.target < 1024), 'the example listens on port 80');
  const lowest = Math.min(...haproxy.ports.map((p) => p.target));
  assert.deepEqual(toDeployment(haproxy, OPTIONS).spec!.template.spec!.securityContext, { sysctls: [{ name: UNPRIVILEGED_PORT_START, value: String(lowest) }] });
  const high = { ...haproxy, ports: haproxy.ports.map((p) => ({ ...p, target: p.target + 18_000 })) };
  assert.equal(toDeployment(high, OPTIONS).spec!.template.spec!.securityContext, undefined);
  assert.equal(toDeployment(api, OPTIONS).spec!.template.spec!.securityContext, undefined);
});

test('labels someone else added (managedFields: not bso\'s apply) are not read back, so they are not drift; without managedFields every label counts', () => {
  const api = services().find((s) => s.component === 'api')!;
  const deployment = wire(toDeployment(api, OPTIONS));
  // What the API server records: bso's apply owns its labels, `kubectl label` owns the new one.
  const labelFields = (keys: string[]) => ({ 'f:metadata': { 'f:labels': Object.fromEntries(keys.map((k) => [`f:${k}`, {}])) } });
  deployment.metadata!.managedFields = [
    { manager: FIELD_MANAGER, operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: labelFields(Object.keys(api.labels)) },
    { manager: 'kubectl-label', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: labelFields(['team']) },
    { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } },
  ];
  deployment.metadata!.labels = { ...deployment.metadata!.labels, team: 'payments' };
  assert.deepEqual(labelsAppliedBy(FIELD_MANAGER, deployment.metadata), new Set(Object.keys(api.labels)));
  const companion = toService(api, OPTIONS);
  assert.equal(serviceDrift(api, observedAs(api, deployment, companion)), undefined);
  // A label of bso's removed by hand: gone from the object and from bso's fields, so drift.
  delete deployment.metadata!.labels![LABEL_SPEC_HASH];
  deployment.metadata!.managedFields[0]!.fieldsV1 = labelFields(Object.keys(api.labels).filter((k) => k !== LABEL_SPEC_HASH));
  assert.match(serviceDrift(api, observedAs(api, deployment, companion)) ?? 'no drift', /spec changed/);
  // No apply of bso's on record (the FAKE keeps no managedFields): every label is read back.
  const unrecorded = wire(toDeployment(api, OPTIONS));
  unrecorded.metadata!.labels = { ...unrecorded.metadata!.labels, team: 'payments' };
  assert.equal(labelsAppliedBy(FIELD_MANAGER, unrecorded.metadata), undefined);
  assert.equal(fromDeployment(unrecorded, companion, OPTIONS)!.labels.team, 'payments');
});

test('several HAProxy instances: required anti-affinity by node, the nodeSelector, replaced one at a time in place; one instance surges; read back exactly', () => {
  const spec = loadExample((t) => t.replace('statsPort: 8404', 'statsPort: 8404\n    replicas: 3\n    nodeLabel: example.com/edge=true'));
  const haproxy = desiredStateFor(spec, CONTROL).services[1]!;
  const deployment = wire(toDeployment(haproxy, OPTIONS));
  const pod = deployment.spec!.template.spec!;
  assert.equal(deployment.spec!.replicas, 3);
  assert.deepEqual(pod.nodeSelector, { 'example.com/edge': 'true' });
  assert.deepEqual(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, [
    { labelSelector: { matchLabels: deployment.spec!.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' },
  ]);
  assert.deepEqual(deployment.spec!.strategy!.rollingUpdate, { maxSurge: 0, maxUnavailable: 1 });
  const back = fromDeployment(deployment, wire(toService(haproxy, OPTIONS)), OPTIONS);
  assert.deepEqual(wire(back), wire(haproxy));

  const one = wire(toDeployment(services()[1]!, OPTIONS));
  assert.equal(one.spec!.template.spec!.affinity, undefined, 'one pod: nothing to keep apart from (its own surge pod must fit)');
  assert.equal(one.spec!.template.spec!.nodeSelector, undefined);
  assert.deepEqual(one.spec!.strategy!.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
});
