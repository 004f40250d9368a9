// The PodDisruptionBudgets: who gets one and how large (pure), and on the FAKE API server the
// version chosen by discovery, drift corrected, a budget removed when one replica is left, a
// foreign one never written, nothing left after a delete.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { desiredStateFor, type DesiredState } from '../core/desired-state.js';
import { planFor } from '../core/plan.js';
import { validStoredObject } from '../backend.js';
import { apiServiceName, haproxyServiceName, LABEL_COMPONENT, LABEL_OWNER } from '../../contract/names.js';
import { FAKE_NAMESPACE, startFakeBackend } from '../../test/fakes/kube-apiserver/fake-backend.js';
import type { FakeKubeApiServerOptions } from '../../test/fakes/kube-apiserver/fake-kube-apiserver.js';
import { converge, OPERATOR_URL, wantedNames } from '../../test/conformance/conformance-world.js';
import { parseBalancedServices } from '../../crd/parse-spec.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { budgetMatches, disruptionAllowance, toPodDisruptionBudget } from './disruption-budget.js';
import { POD_DISRUPTION_BUDGETS_V1, POD_DISRUPTION_BUDGETS_V1BETA1 } from './kube-api.js';

function specOf(name: string, spec: { replicas: number; haproxyReplicas?: number; maxUnavailable?: number; maxSurge?: number }): BalancedService {
  const text = `apiVersion: bso.dev/v1alpha1
kind: BalancedService
metadata:
  name: ${name}
spec:
  image: bso-hello-api:latest
  replicas: ${spec.replicas}
  rollout:
    maxSurge: ${spec.maxSurge ?? 1}
    maxUnavailable: ${spec.maxUnavailable ?? 0}
  haproxy:
    replicas: ${spec.haproxyReplicas ?? 1}
    port: 8000
    statsPort: 8001
`;
  const result = parseBalancedServices(text, `${name}.yaml`);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.specs[0]!.object;
}

const CONTROL = { operatorUrl: OPERATOR_URL, tokenConfig: 'bso-operator-token' };

test('who gets a budget: several API replicas (max(1, rollout.maxUnavailable)), several HAProxy instances (1); one replica none', () => {
  const allowance = (spec: Parameters<typeof specOf>[1]) => desiredStateFor(specOf('b', spec), CONTROL).services.map(disruptionAllowance);
  assert.deepEqual(allowance({ replicas: 1 }), [undefined, undefined]);
  assert.deepEqual(allowance({ replicas: 2 }), [1, undefined]);
  assert.deepEqual(allowance({ replicas: 5, maxUnavailable: 2 }), [2, undefined]);
  assert.deepEqual(allowance({ replicas: 3, haproxyReplicas: 2, maxUnavailable: 1, maxSurge: 0 }), [1, 1]);
});

test('the budget selects its Deployment\'s pods, carries its labels, in the version asked for; API server defaults and status are not drift', () => {
  const api = desiredStateFor(specOf('b', { replicas: 3 }), CONTROL).services[0]!;
  const budget = toPodDisruptionBudget(api, 'shop', POD_DISRUPTION_BUDGETS_V1BETA1)!;
  assert.equal(budget.apiVersion, 'policy/v1beta1');
  assert.deepEqual(budget.metadata, { name: 'b-api', namespace: 'shop', labels: api.labels });
  assert.deepEqual(budget.spec, { maxUnavailable: 1, selector: { matchLabels: { [LABEL_OWNER]: 'b', [LABEL_COMPONENT]: 'api' } } });
  const observed: V1PodDisruptionBudget = JSON.parse(JSON.stringify(toPodDisruptionBudget(api, 'shop', POD_DISRUPTION_BUDGETS_V1)));
  Object.assign(observed.metadata!, { uid: 'u', resourceVersion: '9', generation: 1 });
  observed.status = { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3, observedGeneration: 1 };
  assert.equal(budgetMatches(budget, observed), true);
  assert.equal(budgetMatches(budget, { ...observed, spec: { ...observed.spec, maxUnavailable: '50%' } }), false);
  assert.equal(budgetMatches(budget, { ...observed, spec: { ...observed.spec, minAvailable: 1 } }), false);
  assert.equal(budgetMatches(budget, { ...observed, spec: { ...observed.spec, selector: { matchLabels: { [LABEL_OWNER]: 'b' } } } }), false);
  assert.equal(budgetMatches(budget, undefined), false);
  assert.equal(budgetMatches(undefined, observed), false);
  assert.equal(budgetMatches(undefined, undefined), true);
});

async function world(t: TestContext, fakeOptions: Omit<FakeKubeApiServerOptions, 'token'> = {}) {
  const w = await startFakeBackend({}, fakeOptions);
  t.after(() => w.close());
  const control = await w.backend.ensureControlPlane(OPERATOR_URL);
  const apply = async (spec: BalancedService): Promise<DesiredState> => {
    await w.backend.putSpec(spec);
    const desired = desiredStateFor(validStoredObject((await w.backend.getSpec(spec.metadata.name))!), control);
    await converge(w.backend, spec.metadata.name, desired);
    return desired;
  };
  const budget = (name: string) => w.fake.get('poddisruptionbudgets', FAKE_NAMESPACE, name) as (V1PodDisruptionBudget & { spec: { maxUnavailable: number } }) | undefined;
  return { ...w, apply, budget };
}

test('policy/v1 where the API server serves it; policy/v1beta1 where it does not (Kubernetes 1.20)', async (t) => {
  for (const [policyVersion, apiVersion] of [['v1', 'policy/v1'], ['v1beta1', 'policy/v1beta1']] as const) {
    const { apply, budget } = await world(t, { policyVersion });
    await apply(specOf('shop', { replicas: 2, haproxyReplicas: 2, maxUnavailable: 1, maxSurge: 0 }));
    assert.deepEqual([budget(apiServiceName('shop'))?.apiVersion, budget(apiServiceName('shop'))?.spec.maxUnavailable], [apiVersion, 1], policyVersion);
    assert.deepEqual([budget(haproxyServiceName('shop'))?.apiVersion, budget(haproxyServiceName('shop'))?.spec.maxUnavailable], [apiVersion, 1], policyVersion);
  }
});

test('a budget deleted or changed by hand is corrected; scaled down to one replica it goes; deleting the spec leaves none', async (t) => {
  const { fake, api, backend, apply, budget } = await world(t);
  const desired = await apply(specOf('shop', { replicas: 4, maxUnavailable: 2 }));
  assert.equal(budget(apiServiceName('shop'))?.spec.maxUnavailable, 2);

  await api.remove(POD_DISRUPTION_BUDGETS_V1, apiServiceName('shop'));
  const observed = await backend.observe('shop', wantedNames(desired));
  assert.deepEqual(planFor('shop', desired, observed.owned, observed.byName).actions.map((a) => (a.type === 'update' ? `${a.service.name}: ${a.reason}` : a.type)), [`${apiServiceName('shop')}: service was changed outside bso`]);
  await converge(backend, 'shop', desired);
  assert.equal(budget(apiServiceName('shop'))?.spec.maxUnavailable, 2, 'recreated');
  fake.write('poddisruptionbudgets', FAKE_NAMESPACE, apiServiceName('shop'), (o) => { (o['spec'] as { maxUnavailable: number }).maxUnavailable = 4; });
  await converge(backend, 'shop', desired);
  assert.equal(budget(apiServiceName('shop'))?.spec.maxUnavailable, 2, 'restored');

  await apply(specOf('shop', { replicas: 1 }));
  assert.equal(budget(apiServiceName('shop')), undefined, 'one replica: no budget');
  await apply(specOf('shop', { replicas: 3 }));
  assert.equal(budget(apiServiceName('shop'))?.spec.maxUnavailable, 1);
  await backend.deleteSpec('shop');
  await converge(backend, 'shop', undefined);
  assert.deepEqual(fake.list('poddisruptionbudgets', FAKE_NAMESPACE), []);
  assert.deepEqual(await backend.listOwners(), []);
});

test('a budget left without its Deployment is deleted; a foreign budget with bso\'s name is a conflict, never written', async (t) => {
  const { fake, api, backend, apply, budget } = await world(t);
  const desired = await apply(specOf('shop', { replicas: 2 }));
  await api.remove({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' }, apiServiceName('shop'));
  await converge(backend, 'shop', undefined);
  assert.equal(budget(apiServiceName('shop')), undefined, 'left behind, then deleted');

  await api.create(POD_DISRUPTION_BUDGETS_V1, { metadata: { name: apiServiceName('shop'), labels: { app: 'someone-else' } }, spec: { maxUnavailable: 3, selector: { matchLabels: { app: 'x' } } } } as V1PodDisruptionBudget);
  const before = fake.get('poddisruptionbudgets', FAKE_NAMESPACE, apiServiceName('shop'));
  const observed = await backend.observe('shop', wantedNames(desired));
  const plan = planFor('shop', desired, observed.owned, observed.byName);
  assert.deepEqual(plan.conflicts.map((c) => c.name), [apiServiceName('shop')]);
  for (const action of plan.actions) await backend.execute(action);
  assert.deepEqual(fake.get('poddisruptionbudgets', FAKE_NAMESPACE, apiServiceName('shop')), before, 'untouched');
});
