import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment } from '@kubernetes/client-node';
import { desiredStateFor, type DesiredService } from '../core/desired-state.js';
import { LABEL_REVISION } from '../../contract/names.js';
import { READINESS_PATH } from '../../contract/readiness.js';
import { serviceDrift } from '../core/plan.js';
import { loadExample } from '../../test/operator/specs.js';
import { ANNOTATION_UNMAPPED, fromDeployment, toDeployment } from './deployment-spec.js';
import { failedRevisionOf, PROGRESS_DEADLINE_SECONDS } from './deployment-rollout.js';
import { toService } from './service-objects.js';

const OPTIONS = { namespace: 'shop', haproxyServiceType: 'LoadBalancer' as const };
const CONTROL = { operatorUrl: 'http://bso-operator.bso-system.svc:9464', tokenConfig: 'bso-operator-token' };
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const withRollout = (surge: number, unavailable: number) => loadExample((t) => t.replace('  resources:', `  rollout:\n    maxSurge: ${surge}\n    maxUnavailable: ${unavailable}\n  resources:`));
const servicesOf = (surge = 1, unavailable = 0) => desiredStateFor(withRollout(surge, unavailable), CONTROL).services as [DesiredService, DesiredService];

test('the API Deployment rolls out as spec.rollout says, gated by a readinessProbe on /readyz, with a progress deadline; HAProxy keeps its strategy and has neither', () => {
  const [api, haproxy] = servicesOf(2, 1);
  const deployment = toDeployment(api, OPTIONS);
  assert.deepEqual(deployment.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } });
  assert.equal(deployment.spec!.progressDeadlineSeconds, PROGRESS_DEADLINE_SECONDS);
  const container = deployment.spec!.template.spec!.containers[0]!;
  assert.deepEqual(container.readinessProbe, { httpGet: { path: READINESS_PATH, port: 'http' }, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 3 });
  assert.ok(container.ports!.some((p) => p.name === 'http'), 'the probe\'s named port exists');
  assert.equal(deployment.spec!.template.metadata!.labels![LABEL_REVISION], api.labels[LABEL_REVISION], 'pods carry their revision');

  const proxy = toDeployment(haproxy, OPTIONS);
  assert.deepEqual(proxy.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  assert.equal(proxy.spec!.progressDeadlineSeconds, undefined);
  assert.equal(proxy.spec!.template.spec!.containers[0]!.readinessProbe, undefined);

  const back = fromDeployment(wire(deployment), wire(toService(api, OPTIONS)), OPTIONS)!;
  assert.deepEqual(back.rollout, api.rollout);
  assert.deepEqual([back.rollout!.maxSurge, back.rollout!.maxUnavailable], [2, 1]);
  assert.equal(fromDeployment(wire(proxy), wire(toService(haproxy, OPTIONS)), OPTIONS)!.rollout, undefined);
});

test('a changed spec.rollout is a new spec (and no new revision: the pods stay); a rollout changed by hand is drift', () => {
  const [before] = servicesOf(1, 0);
  const [after] = servicesOf(0, 1);
  assert.equal(after.labels[LABEL_REVISION], before.labels[LABEL_REVISION], 'the rollout settings do not make a new revision');
  const observed = (d: V1Deployment) => ({ kind: 'service' as const, id: 'x', name: before.name, labels: d.metadata!.labels!, version: 1, service: fromDeployment(d, toService(before, OPTIONS), OPTIONS) });
  assert.match(serviceDrift(after, observed(wire(toDeployment(before, OPTIONS)))) ?? 'no drift', /spec changed/);

  const cases: Array<[string, (d: V1Deployment) => void]> = [
    ['maxSurge as a percentage', (d) => { d.spec!.strategy!.rollingUpdate!.maxSurge = '25%'; }],
    ['maxUnavailable raised', (d) => { d.spec!.strategy!.rollingUpdate!.maxUnavailable = 2; }],
    ['strategy Recreate', (d) => { d.spec!.strategy = { type: 'Recreate' }; }],
    ['readinessProbe removed', (d) => { delete d.spec!.template.spec!.containers[0]!.readinessProbe; }],
    ['readinessProbe path changed', (d) => { d.spec!.template.spec!.containers[0]!.readinessProbe!.httpGet!.path = '/'; }],
    ['readinessProbe slower', (d) => { d.spec!.template.spec!.containers[0]!.readinessProbe!.periodSeconds = 10; }],
    ['readinessProbe delayed', (d) => { d.spec!.template.spec!.containers[0]!.readinessProbe!.initialDelaySeconds = 30; }],
    ['progress deadline changed', (d) => { d.spec!.progressDeadlineSeconds = 600; }],
    ['the annotation without the rollout', (d) => {
      const annotations = d.metadata!.annotations!;
      annotations[ANNOTATION_UNMAPPED] = JSON.stringify({ ...JSON.parse(annotations[ANNOTATION_UNMAPPED]!), rollout: undefined });
    }],
  ];
  for (const [what, mutate] of cases) {
    const deployment = wire(toDeployment(before, OPTIONS));
    mutate(deployment);
    assert.match(serviceDrift(before, observed(deployment)) ?? 'no drift', /changed outside bso/, what);
  }
});

test('failedRevisionOf: Progressing False with ProgressDeadlineExceeded for the current generation names the template\'s revision', () => {
  const [api] = servicesOf();
  const deployment = (condition: Record<string, string> | undefined, observedGeneration = 4): V1Deployment => {
    const d = wire(toDeployment(api, OPTIONS));
    d.metadata!.generation = 4;
    d.status = { observedGeneration, conditions: condition ? [{ type: 'Available', status: 'True' }, { type: 'Progressing', ...condition } as never] : [] };
    return d;
  };
  const exceeded = { status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "hello-api-5d9c" has timed out progressing.' };
  const failed = failedRevisionOf(deployment(exceeded));
  assert.equal(failed?.revision, api.labels[LABEL_REVISION]);
  assert.match(failed!.message, /progress deadline \(120 s, ProgressDeadlineExceeded\): ReplicaSet "hello-api-5d9c" has timed out progressing\./);
  assert.equal(failedRevisionOf(deployment({ status: 'True', reason: 'ReplicaSetUpdated', message: 'progressing' })), undefined, 'still progressing');
  assert.equal(failedRevisionOf(deployment({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'done' })), undefined, 'complete');
  assert.equal(failedRevisionOf(deployment(undefined)), undefined, 'no condition yet');
  assert.equal(failedRevisionOf(deployment(exceeded, 3)), undefined, 'about the previous template: the controller has not seen this one yet');
  const unlabelled = deployment(exceeded);
  delete unlabelled.spec!.template.metadata!.labels![LABEL_REVISION];
  assert.equal(failedRevisionOf(unlabelled), undefined, 'no revision to hold');
});
