import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsFor, type StatusFacts } from './conditions.js';

const base: StatusFacts = {
  generation: 3, desiredReplicas: 2, runningReplicas: 2, haproxyRunning: true,
  configHash: 'h1', appliedConfigHash: 'h1', servers: [{ state: 'UP' }, { state: 'UP' }], blocking: [],
};
const get = (facts: Partial<StatusFacts>, type: string) => conditionsFor({ ...base, ...facts }, [], 'T0').find((c) => c.type === type)!;

test('all running, config applied, servers UP: Ready, not Progressing, not Degraded', () => {
  assert.equal(get({}, 'Ready').status, 'True');
  assert.equal(get({}, 'Progressing').status, 'False');
  assert.equal(get({}, 'Degraded').status, 'False');
  assert.equal(get({}, 'Ready').observedGeneration, 3);
});

test('replicas still starting: Progressing with RollingOut', () => {
  assert.equal(get({ runningReplicas: 1 }, 'Ready').reason, 'ReplicasNotReady');
  assert.equal(get({ runningReplicas: 1 }, 'Progressing').reason, 'RollingOut');
});

test('config not confirmed by HAProxy yet: not Ready', () => {
  assert.equal(get({ appliedConfigHash: 'old' }, 'Ready').reason, 'ConfigNotApplied');
});

test('a port conflict blocks: Ready False and Degraded True with its reason', () => {
  const facts = { blocking: [{ reason: 'PortTaken', message: 'port 80 is already published by BalancedService a' }] };
  assert.equal(get(facts, 'Ready').reason, 'PortTaken');
  assert.equal(get(facts, 'Degraded').status, 'True');
  assert.equal(get(facts, 'Progressing').status, 'False');
});

test('every server in MAINT: Degraded AllServersInMaint', () => {
  assert.equal(get({ servers: [{ state: 'MAINT' }, { state: 'MAINT' }] }, 'Degraded').reason, 'AllServersInMaint');
});

test('the panic guard holding servers: Degraded PanicGuard naming them, still Ready', () => {
  const facts: Partial<StatusFacts> = { servers: [{ state: 'UP' }, { state: 'MAINT' }], panicGuard: { active: true, held: ['replica1'], thresholdPercent: 50 } };
  const degraded = get(facts, 'Degraded');
  assert.deepEqual([degraded.status, degraded.reason], ['True', 'PanicGuard']);
  assert.match(degraded.message, /replica1/);
  assert.equal(get(facts, 'Ready').status, 'True');
  assert.equal(get({ ...facts, panicGuard: { active: false, held: [], thresholdPercent: 50 } }, 'Degraded').status, 'False');
  assert.equal(get({ ...facts, rejectedConfig: 'x' }, 'Degraded').reason, 'ConfigRejected');
});

test('lastTransitionTime only moves when the status changes', () => {
  const first = conditionsFor(base, [], 'T0');
  const same = conditionsFor(base, first, 'T1');
  assert.equal(same.find((c) => c.type === 'Ready')!.lastTransitionTime, 'T0');
  const changed = conditionsFor({ ...base, runningReplicas: 0 }, first, 'T2');
  assert.equal(changed.find((c) => c.type === 'Ready')!.lastTransitionTime, 'T2');
});

test('a rollout in progress: Progressing RollingOut with what is left, Ready stays True while a surge runs more replicas than desired', () => {
  const rolling = { runningReplicas: 3, rollout: { state: 'Progressing' as const, message: '1 of 2 replicas run revision abc' } };
  assert.equal(get(rolling, 'Ready').status, 'True');
  assert.equal(get(rolling, 'Progressing').reason, 'RollingOut');
  assert.match(get(rolling, 'Progressing').message, /^rolling out: 1 of 2 replicas run revision abc/);
});

test('a failed rollout: Degraded and Progressing False with RolloutFailed; Ready as the old replicas serve', () => {
  const failed = { rollout: { state: 'Failed' as const, message: 'revision abc failed and was stopped' } };
  assert.equal(get(failed, 'Degraded').reason, 'RolloutFailed');
  assert.match(get(failed, 'Degraded').message, /revision abc failed and was stopped; apply a spec with another image/);
  assert.deepEqual([get(failed, 'Progressing').status, get(failed, 'Progressing').reason], ['False', 'RolloutFailed']);
  assert.equal(get(failed, 'Ready').status, 'True');
});
