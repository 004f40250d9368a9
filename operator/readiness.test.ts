import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readiness } from './readiness.js';

test('not ready while connecting: the reason is the stage', () => {
  const r = new Readiness();
  r.waiting('waiting for Docker at unix:///var/run/docker.sock: connect ENOENT');
  assert.deepEqual(r.state(), { ready: false, reason: 'waiting for Docker at unix:///var/run/docker.sock: connect ENOENT' });
});

test('ready once the first resync\'s keys are each reconciled once; later resyncs do not reset it', () => {
  const r = new Readiness();
  r.backend(true);
  assert.equal(r.state().reason, 'waiting for the first resync');
  r.resynced(['web', 'hello']);
  assert.deepEqual(r.state(), { ready: false, reason: 'first reconcile of 2 BalancedService(s) in progress: hello, web' });
  r.reconciled('hello');
  r.reconciled('web');
  assert.deepEqual(r.state(), { ready: true, reason: 'ok' });
  r.resynced(['other']);
  assert.equal(r.state().ready, true);
});

test('an empty first resync is ready at once', () => {
  const r = new Readiness();
  r.backend(true);
  r.resynced([]);
  assert.equal(r.state().ready, true);
});

test('not ready while the backend does not answer, ready again when it does', () => {
  const r = new Readiness();
  r.backend(true);
  r.resynced([]);
  r.backend(false, 'connect ECONNREFUSED 127.0.0.1:2375');
  assert.deepEqual(r.state(), { ready: false, reason: 'the orchestrator\'s API does not answer: connect ECONNREFUSED 127.0.0.1:2375' });
  r.backend(true);
  assert.equal(r.state().ready, true);
});
