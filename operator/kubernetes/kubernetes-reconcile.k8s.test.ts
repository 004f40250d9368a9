// The real Reconciler, as the operator's ServiceAccount with deploy/k8s's Role, against a REAL
// kube-apiserver and kube-controller-manager (npm run k8s:up): a BalancedService applied by an
// editor converges, its status and Events are what `kubectl get balancedservices` and `kubectl
// describe balancedservice NAME` show, a second reconcile writes nothing, and after the spec is
// deleted nothing owned is left. No operator serves the HAProxy supervisors here (OPERATOR_URL
// leads nowhere), so Ready stays False with its reason whether or not the node runs the pods.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { apiServiceName, haproxyServiceName } from '../../contract/names.js';
import { eventually, OPERATOR_URL, specFor, uniqueName } from '../../test/conformance/conformance-world.js';
import { apiFor, BSO_NAMESPACE, editorTarget, installBso, kubectl, operatorTarget } from '../../test/k8s/real-control-plane.js';
import { OperatorMetrics } from '../metrics.js';
import { Reconciler } from '../reconciler.js';
import { configRenderer } from '../render-for-operator.js';
import { KubernetesBackend } from './kubernetes-backend.js';

/** bso installed; the operator's backend (its ServiceAccount) and an editor's (what `bso apply` uses). */
async function backends(t: TestContext) {
  await installBso();
  const operatorApi = apiFor(await operatorTarget());
  const editorApi = apiFor(editorTarget());
  t.after(() => { operatorApi.close(); editorApi.close(); });
  return { operator: new KubernetesBackend(operatorApi), editor: new KubernetesBackend(editorApi) };
}

test('a BalancedService converges as the operator\'s ServiceAccount; kubectl get and describe show its status and Events; delete leaves nothing', async (t) => {
  const { operator, editor } = await backends(t);
  const name = uniqueName('rec');
  await editor.putSpec(specFor(name, {}, { replicas: 2 }));
  t.after(async () => { await editor.deleteSpec(name).catch(() => false); });

  const control = await operator.ensureControlPlane(OPERATOR_URL);
  const reconciler = new Reconciler({ backend: operator, control, metrics: new OperatorMetrics(), renderConfig: configRenderer({ kind: 'kubernetes', namespace: BSO_NAMESPACE }) });
  t.after(() => reconciler.stop());
  await reconciler.reconcile(name);
  const deployment = JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployment', apiServiceName(name), '-o', 'json'])) as { spec: { replicas: number }; metadata: { managedFields: Array<{ manager: string; operation: string }> } };
  assert.equal(deployment.spec.replicas, 2);
  assert.ok(deployment.metadata.managedFields.some((f) => f.manager === 'bso' && f.operation === 'Apply'), 'written by server-side apply as bso');
  await kubectl(['-n', BSO_NAMESPACE, 'get', 'service', haproxyServiceName(name)]);
  // Two API replicas: a disruption budget, in the version this API server serves (1.20: v1beta1, found by discovery).
  const budget = JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'poddisruptionbudget', apiServiceName(name), '-o', 'json'])) as { apiVersion: string; spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } };
  assert.deepEqual([budget.apiVersion, budget.spec.maxUnavailable, budget.spec.selector.matchLabels], ['policy/v1beta1', 1, { 'bso.dev/balancedservice': name, 'bso.dev/component': 'api' }]);

  // The Deployment controller made ReplicaSets and pods (never scheduled here); a second reconcile
  // changes nothing bso owns.
  await eventually('the Deployment controller saw it', async () => {
    const status = JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployment', apiServiceName(name), '-o', 'jsonpath={.status}'])) as { observedGeneration?: number };
    return status.observedGeneration === 1 ? true : undefined;
  });
  const before = await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployment', apiServiceName(name), '-o', 'jsonpath={.metadata.generation}']);
  await reconciler.reconcile(name);
  assert.equal(await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployment', apiServiceName(name), '-o', 'jsonpath={.metadata.generation}']), before, 'no spec write');
  // A label added by hand is another manager's field: it survives, and is not drift (bso reads
  // back only the labels it applied, from managedFields), so a reconcile plans no write at all.
  await kubectl(['-n', BSO_NAMESPACE, 'label', 'deployment', apiServiceName(name), 'team=payments']);
  const executed: string[] = [];
  const execute = operator.execute.bind(operator);
  operator.execute = async (action) => { executed.push(`${action.type} ${action.kind}`); return execute(action); };
  await reconciler.reconcile(name);
  operator.execute = execute;
  assert.deepEqual(executed, [], 'a hand-added label made bso write');
  assert.equal(await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployment', apiServiceName(name), '-o', 'jsonpath={.metadata.labels.team}']), 'payments');

  // What a Kubernetes user sees.
  const row = await eventually('status on the resource', async () => {
    const table = await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservice', name]);
    const [header, line] = table.trim().split('\n');
    return line && /False/.test(line) ? { header: header!, line } : undefined;
  });
  assert.match(row.header, /^NAME\s+REPLICAS\s+UP\s+READY\s+REASON\s+AGE$/);
  assert.match(row.line, new RegExp(`^${name}\\s+2\\s+0\\s+False\\s+(HAProxyNotReady|ConfigNotApplied)\\s+`));
  const wide = await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservice', name, '-o', 'wide']);
  assert.match(wide, /DEGRADED/);
  const status = JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservice', name, '-o', 'jsonpath={.status}'])) as { observedGeneration: number; conditions: Array<{ type: string; status: string; reason: string; message: string; lastTransitionTime: string; observedGeneration: number }> };
  assert.equal(status.observedGeneration, 1);
  assert.deepEqual(status.conditions.map((c) => c.type).sort(), ['Degraded', 'Progressing', 'Ready']);
  for (const c of status.conditions) assert.ok(c.reason && c.message && Date.parse(c.lastTransitionTime) && c.observedGeneration === 1, JSON.stringify(c));
  const described = await eventually('Events in kubectl describe', async () => {
    const text = await kubectl(['-n', BSO_NAMESPACE, 'describe', 'balancedservice', name]);
    return /CreatedService/.test(text) ? text : undefined;
  });
  assert.match(described, /Events:[\s\S]*Normal\s+CreatedService\s+\S+\s+bso-operator\s+created service/);

  // bso delete, then the operator removes everything it owns; garbage collection needs nothing more.
  await editor.deleteSpec(name);
  for (let i = 0; i < 5 && (await operator.listOwners()).includes(name); i++) await reconciler.reconcile(name);
  assert.ok(!(await operator.listOwners()).includes(name), 'nothing owned left');
  assert.equal((await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployments,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${name}`, '-o', 'name'])).trim(), '');
});

test('what the operator creates is owned by the BalancedService: deleted with it by Kubernetes\' garbage collector, with no operator running', async (t) => {
  const { operator, editor } = await backends(t);
  const name = uniqueName('gc');
  await editor.putSpec(specFor(name, {}, { replicas: 2 })); // two: a PodDisruptionBudget too
  const control = await operator.ensureControlPlane(OPERATOR_URL);
  const reconciler = new Reconciler({ backend: operator, control, metrics: new OperatorMetrics(), renderConfig: configRenderer({ kind: 'kubernetes', namespace: BSO_NAMESPACE }) });
  await reconciler.reconcile(name);
  await reconciler.stop();
  const uid = await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservice', name, '-o', 'jsonpath={.metadata.uid}']);
  const owners = await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployments,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${name}`, '-o', 'jsonpath={range .items[*]}{.kind}:{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}{"\\n"}{end}']);
  const lines = owners.trim().split('\n');
  assert.equal(lines.length, 7, owners);
  for (const line of lines) assert.match(line, new RegExp(`^\\w+:BalancedService/${name}/${uid}$`));

  await editor.deleteSpec(name); // and no operator reconciles it
  await eventually('the garbage collector removed every owned object', async () => {
    const left = await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployments,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${name}`, '-o', 'name']);
    return left.trim() === '' ? true : undefined;
  }, 60_000);
});
