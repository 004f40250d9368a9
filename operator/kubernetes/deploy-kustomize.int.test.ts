// `kubectl kustomize deploy/k8s` (offline, no cluster) builds the install: every manifest the
// kustomization lists, CRD included. Skipped where kubectl is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;

test('kubectl kustomize deploy/k8s builds every object of the install', (t) => {
  const result = spawnSync('kubectl', ['kustomize', 'deploy/k8s'], { cwd: ROOT, encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('kubectl is not installed');
  assert.equal(result.status, 0, result.stderr);
  const objects = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    'ClusterRole/bso-balancedservices-edit', 'ClusterRole/bso-balancedservices-view', 'CustomResourceDefinition/balancedservices.bso.dev',
    'Deployment/bso-operator', 'Namespace/bso-system', 'Role/bso-operator', 'RoleBinding/bso-operator', 'Service/bso-operator', 'ServiceAccount/bso-operator',
  ]);
});
