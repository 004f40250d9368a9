// bso rollout status: a line per change of status.rollout, exit outcome complete / failed /
// timeout, an older generation's status never taken for the answer (a FAKE operator answering
// from a script of statuses; test/faults/dataplane/rollout.fault.test.ts runs it on Swarm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../operator/api-object.js';
import type { RolloutStatus } from '../operator/core/rollout-progress.js';
import { followRollout } from './follow-rollout.js';

const at = (generation: number, rollout?: Partial<RolloutStatus>): ApiObject => ({
  apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'hello', generation, creationTimestamp: '' }, spec: {},
  status: {
    observedGeneration: generation, replicas: 2, readyReplicas: 2, conditions: [], servers: [],
    ...(rollout ? { rollout: { revision: 'abc', state: 'Progressing', updatedReplicas: 0, updatedServing: 0, oldReplicas: 2, message: '', ...rollout } } : {}),
  },
});

async function follow(answers: ApiObject[], generation = 2, timeoutMs = 5000, watch = true) {
  const printed: string[] = [];
  const outcome = await followRollout('hello', {
    generation, timeoutMs, watch, pollMs: 1, print: (l) => printed.push(l.replace(/ \(\d+s\)$/, '')),
    fetch: async () => ({ ok: true, object: answers.length > 1 ? answers.shift()! : answers[0]! }),
  });
  return { outcome, printed };
}

test('follows until Complete, a line per change, and waits out an older generation\'s Complete', async () => {
  const { outcome, printed } = await follow([
    at(1, { state: 'Complete', message: 'old one' }),
    at(2, { message: '1 of 2 replicas run revision abc' }),
    at(2, { message: '1 of 2 replicas run revision abc' }),
    at(2, { state: 'Complete', message: '2 of 2 replicas run revision abc and serve' }),
  ]);
  assert.equal(outcome, 'complete');
  assert.deepEqual(printed, [
    'hello: waiting for the operator to pick up generation 2',
    'hello: rolling out: 1 of 2 replicas run revision abc',
    'hello: rollout complete: 2 of 2 replicas run revision abc and serve',
  ]);
});

test('a failed rollout ends with its reason; a timeout says the rollout goes on', async () => {
  const failed = await follow([at(2, { state: 'Failed', message: 'revision abc failed and was stopped; 2 replicas of the previous revision serve' })]);
  assert.equal(failed.outcome, 'failed');
  assert.deepEqual(failed.printed, ['hello: rollout failed: revision abc failed and was stopped; 2 replicas of the previous revision serve']);
  const slow = await follow([at(2, { message: 'going' })], 2, 20);
  assert.equal(slow.outcome, 'timeout');
  assert.match(slow.printed.at(-1)!, /^hello: timed out after \d+s; the rollout goes on \(see bso describe hello\)$/);
});

test('--no-watch says where it stands once', async () => {
  const once = await follow([at(2, { message: 'going' }), at(2, { state: 'Complete', message: 'done' })], 2, 5000, false);
  assert.deepEqual(once, { outcome: 'pending', printed: ['hello: rolling out: going'] });
});

test('an operator that cannot be reached is waited for, and said', async () => {
  const printed: string[] = [];
  const outcome = await followRollout('hello', { generation: 1, timeoutMs: 10, watch: true, pollMs: 2, print: (l) => printed.push(l), fetch: async () => ({ ok: false, reason: 'the operator is not reachable at http://x' }) });
  assert.equal(outcome, 'timeout');
  assert.match(printed[0]!, /^hello: waiting: the operator is not reachable at http:\/\/x \(\d+s\)$/);
});
