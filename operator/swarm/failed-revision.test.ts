// Swarm rolls a failed update back and keeps no copy of the failed spec (PreviousSpec is gone, as
// docker service inspect shows after a rollback on Docker 20.10): the revision it tried is read
// from the newest task of another revision than the service's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedRevisionOf } from './swarm-backend.js';

const task = (revision: string, createdAt: string, state = 'failed', err?: string) => ({
  CreatedAt: createdAt, Spec: { ContainerSpec: { Labels: { 'bso.dev/revision': revision } } }, Status: { State: state, ...(err ? { Err: err } : {}) },
});
const rollback = { state: 'rollback_completed', message: 'rollback completed' };

test('the newest task of another revision is the one that failed, with its error', () => {
  const tasks = [
    task('v1', '2026-12-08T00:10:00Z', 'shutdown'),
    task('v2', '2026-12-08T00:20:00Z', 'running'),
    task('v3', '2026-12-08T00:30:00Z', 'failed', 'task: non-zero exit (3)'),
    task('v2', '2026-12-08T00:31:00Z', 'running'), // a v2 task restarted after the rollback
  ];
  assert.deepEqual(failedRevisionOf('v2', rollback, tasks), { revision: 'v3', message: 'its replica failed (task: non-zero exit (3)); Swarm rollback completed' });
});

test('no task of another revision: nothing to hold', () => {
  assert.equal(failedRevisionOf('v2', rollback, [task('v2', '2026-12-08T00:20:00Z', 'running')]), undefined);
  assert.equal(failedRevisionOf('v2', rollback, [{ CreatedAt: 'x', Status: { State: 'failed' } }]), undefined, 'a task without a revision label (not made by bso) does not count');
});
