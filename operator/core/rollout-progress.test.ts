import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rolloutProgress } from './rollout-progress.js';
import type { TaskInfo } from '../backend.js';

const task = (slot: number, revision: string, state = 'running'): TaskInfo => ({ id: `t${slot}${revision}`, name: `hello-api.${slot}.${revision}`, slot, node: 'n1', state, revision });

test('a rollout in the middle: new replicas running and serving are counted apart from old ones and starting ones', () => {
  const tasks = [task(1, 'new'), task(2, 'new', 'starting'), task(2, 'old'), task(3, 'old')];
  const servers = [{ state: 'UP', task: 'hello-api.1.new' }, { state: 'UP', task: 'hello-api.2.old' }, { state: 'DRAIN', task: 'hello-api.3.old' }];
  assert.deepEqual(rolloutProgress({ revision: 'new', replicas: 3, tasks, servers }), {
    revision: 'new', state: 'Progressing', updatedReplicas: 1, updatedServing: 1, oldReplicas: 2,
    message: '1 of 3 replicas run revision new, 1 of them serve in HAProxy, 1 starting, 2 of an older revision still run',
  });
});

test('complete only when every replica runs the revision, HAProxy serves each, and no old one runs', () => {
  const tasks = [task(1, 'new'), task(2, 'new')];
  const notYet = rolloutProgress({ revision: 'new', replicas: 2, tasks, servers: [{ state: 'UP', task: 'hello-api.1.new' }, { state: 'DOWN', task: 'hello-api.2.new' }] });
  assert.equal(notYet.state, 'Progressing');
  assert.equal(notYet.updatedServing, 1);
  const done = rolloutProgress({ revision: 'new', replicas: 2, tasks, servers: [{ state: 'UP', task: 'hello-api.1.new' }, { state: 'MAINT', task: 'hello-api.2.new' }] });
  assert.equal(done.state, 'Complete', 'a replica in MAINT (overloaded) is still served by HAProxy once its load drops');
  assert.equal(rolloutProgress({ revision: 'new', replicas: 2, tasks: [...tasks, task(3, 'old')], servers: [{ state: 'UP', task: 'hello-api.1.new' }, { state: 'UP', task: 'hello-api.2.new' }] }).state, 'Progressing');
});

test('a failed revision: Failed with the orchestrator\'s word and how many old replicas serve; a failure of another revision does not count', () => {
  const tasks = [task(1, 'old'), task(2, 'old')];
  const failed = { revision: 'new', message: 'Swarm rollback completed: rollback completed' };
  const status = rolloutProgress({ revision: 'new', replicas: 2, tasks, servers: [], failed });
  assert.equal(status.state, 'Failed');
  assert.equal(status.message, 'revision new failed and was stopped; 2 replicas of the previous revision serve: Swarm rollback completed: rollback completed');
  assert.equal(rolloutProgress({ revision: 'newer', replicas: 2, tasks, servers: [], failed }).state, 'Progressing');
});
