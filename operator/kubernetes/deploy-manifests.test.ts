// deploy/k8s: every YAML parses, the kustomization lists every manifest, the CRD is the one
// crd/ generates, RBAC grants exactly what permissions.ts lists (which the backend tests hold
// the code to), the operator Deployment is wired to its ServiceAccount, Service and Prometheus,
// and the example is a valid BalancedService for the operator's namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseBalancedServices } from '../../crd/parse-spec.js';
import { MODEL_OF_KIND, schemaIssues } from '../../test/fakes/kube-apiserver/wire-schema.js';
import { EDITOR_PERMISSIONS, OPERATOR_PERMISSIONS, type Permission } from './permissions.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEPLOY = join(ROOT, 'deploy/k8s');

interface Manifest { file: string; apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown }
interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  }).sort();
}

const manifests: Manifest[] = yamlFiles(DEPLOY).flatMap((path) => parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
  assert.deepEqual(doc.errors, [], relative(ROOT, path));
  return { ...(doc.toJS() as object), file: relative(DEPLOY, path) } as Manifest;
}));
const one = (kind: string, name?: string) => {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
  assert.equal(found.length, 1, `exactly one ${kind} ${name ?? ''}`);
  return found[0]!;
};
type Probe = { httpGet: { path: string; port: string | number } };
const operator = one('Deployment', 'bso-operator') as Manifest & { spec: { replicas: number; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { serviceAccountName: string; containers: Array<{ args: string[]; command: string[]; env: Array<{ name: string; value?: string }>; ports: Array<{ name: string; containerPort: number }>; readinessProbe: Probe; livenessProbe: Probe }> } } } };
const NAMESPACE = one('Namespace').metadata!.name!;

test('deploy/k8s: the kinds an install needs, every namespaced object in the operator\'s namespace', () => {
  const kinds = [...new Set(manifests.map((m) => m.kind))].sort();
  assert.deepEqual(kinds, ['BalancedService', 'ClusterRole', 'CustomResourceDefinition', 'Deployment', 'Kustomization', 'Namespace', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
  const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'Kustomization']);
  for (const m of manifests.filter((x) => !clusterScoped.has(x.kind!))) assert.equal(m.metadata?.namespace, NAMESPACE, `${m.kind} ${m.metadata?.name}`);
});

test('deploy/k8s: every built-in object has only fields of its kind, with the right types (client-node\'s models)', () => {
  for (const m of manifests.filter((x) => x.kind !== 'Kustomization' && x.kind !== 'BalancedService')) {
    const { file: _file, ...object } = m;
    assert.ok(MODEL_OF_KIND[m.kind!], `no model for ${m.kind}`);
    assert.deepEqual(schemaIssues(object, MODEL_OF_KIND[m.kind!]!), [], `${m.file}: ${m.kind} ${m.metadata?.name}`);
  }
  assert.deepEqual(schemaIssues({ spec: { template: { spec: { containers: [{ name: 'x', imagePullPolice: 'Always' }] } } } }, 'V1Deployment'), ['.spec.template.spec.containers[0].imagePullPolice: unknown field']);
});

test('deploy/k8s: the kustomization lists every manifest but the example, and the CRD is crd/\'s, byte for byte', () => {
  const kustomization = one('Kustomization') as Manifest & { resources: string[] };
  const files = [...new Set(manifests.map((m) => m.file))].filter((f) => f !== 'kustomization.yaml' && !f.startsWith('example/'));
  assert.deepEqual([...kustomization.resources].sort(), files.sort());
  assert.equal(readFileSync(join(DEPLOY, 'balancedservice.crd.yaml'), 'utf8'), readFileSync(join(ROOT, 'crd/balancedservice.crd.yaml'), 'utf8'),
    'deploy/k8s/balancedservice.crd.yaml drifted: cp crd/balancedservice.crd.yaml deploy/k8s/');
});

/** The permissions a set of RBAC rules grants, one entry per group/resource/verb. */
function granted(rules: Rule[]): string[] {
  return rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))).sort();
}
const listed = (permissions: readonly Permission[]) => permissions.flatMap((p) => p.verbs.map((v) => `${p.group}/${p.resource}:${v}`)).sort();

test('RBAC: the operator\'s Role grants exactly what the backend uses, bound to the operator\'s ServiceAccount', () => {
  const role = one('Role', 'bso-operator') as Manifest & { rules: Rule[] };
  assert.deepEqual(granted(role.rules), listed(OPERATOR_PERMISSIONS));
  assert.ok(!role.rules.some((r) => r.verbs.includes('*') || r.resources.includes('*')), 'no wildcards');
  const binding = one('RoleBinding') as Manifest & { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> };
  const account = one('ServiceAccount');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata!.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: account.metadata!.name, namespace: NAMESPACE }]);
  assert.equal(operator.spec.template.spec.serviceAccountName, account.metadata!.name);
});

test('RBAC: editors (aggregated into edit and admin) may apply BalancedServices, viewers may read them', () => {
  const edit = one('ClusterRole', 'bso-balancedservices-edit') as Manifest & { rules: Rule[] };
  assert.deepEqual(granted(edit.rules), listed(EDITOR_PERMISSIONS));
  assert.equal(edit.metadata!.labels!['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
  const view = one('ClusterRole', 'bso-balancedservices-view') as Manifest & { rules: Rule[] };
  assert.deepEqual(granted(view.rules), ['bso.dev/balancedservices:get', 'bso.dev/balancedservices:list', 'bso.dev/balancedservices:watch']);
});

test('the operator Deployment: Kubernetes backend, scraped by Prometheus on its listen port, advertised through its Service', () => {
  const pod = operator.spec.template;
  const container = pod.spec.containers[0]!;
  assert.ok(container.args.includes('--backend=kubernetes') && !container.command.includes('--backend=swarm'));
  const listen = container.args[container.args.indexOf('--listen') + 1]!;
  const port = Number(listen.split(':')[1]);
  assert.deepEqual(pod.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
  assert.deepEqual(container.ports.map((p) => p.containerPort), [port]);
  const service = one('Service', 'bso-operator') as Manifest & { spec: { ports: Array<{ port: number }> } };
  const advertise = container.env.find((e) => e.name === 'BSO_ADVERTISE_URL')!.value!;
  assert.equal(advertise, `http://${service.metadata!.name}.${NAMESPACE}.svc:${service.spec.ports[0]!.port}`);
});

test('the example is a valid BalancedService in the operator\'s namespace', () => {
  const example = manifests.find((m) => m.kind === 'BalancedService')!;
  const result = parseBalancedServices(readFileSync(join(DEPLOY, example.file), 'utf8'), example.file);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  assert.equal(result.specs[0]!.object.metadata.namespace, NAMESPACE);
});

test('the operator pod is what the shipped Prometheus config and PodMonitor scrape: labels, port name, probes', () => {
  const pod = operator.spec.template;
  const container = pod.spec.containers[0]!;
  const portNames = container.ports.map((p) => p.name);
  // deploy/prometheus/prometheus.kubernetes.yml: managed-by=bso and bso.dev/component name the
  // component; the job keeps the container port named by its `operator;metrics` rule.
  const scrape = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.kubernetes.yml'), 'utf8');
  const keep = /regex: (api;\w+\|haproxy;\w+\|operator;(\w+))/.exec(scrape);
  assert.ok(keep, 'the port rule of prometheus.kubernetes.yml');
  assert.ok(portNames.includes(keep[2]!), `the operator's ports ${portNames.join(', ')} include ${keep[2]}, which the scrape config keeps`);
  assert.equal(pod.metadata.labels['app.kubernetes.io/managed-by'], 'bso');
  assert.equal(pod.metadata.labels['bso.dev/component'], 'operator');
  // deploy/prometheus/kubernetes/podmonitor.yaml: its selector matches the pod, its port is a port of it.
  const monitors = parseAllDocuments(readFileSync(join(ROOT, 'deploy/prometheus/kubernetes/podmonitor.yaml'), 'utf8')).map((d) => d.toJS() as { metadata: { name: string }; spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Array<{ port: string }> } });
  const monitor = monitors.find((m) => m.metadata.name === 'bso-operator')!;
  for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(pod.metadata.labels[key], value, `PodMonitor selector ${key}=${value}`);
  assert.ok(portNames.includes(monitor.spec.podMetricsEndpoints[0]!.port), 'the PodMonitor\'s port is a port of the pod');
  // Probes: alive while the process lives, ready while it leads with the API reachable.
  assert.deepEqual([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path], ['/healthz', '/readyz']);
  for (const probe of [container.livenessProbe, container.readinessProbe]) assert.ok(portNames.includes(String(probe.httpGet.port)), `probe port ${probe.httpGet.port}`);
  // Two replicas are safe: leader election is on (no --no-leader-elect).
  assert.ok(operator.spec.replicas >= 2 && !container.args.includes('--no-leader-elect'));
});
