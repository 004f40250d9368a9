import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import { STALE_AFTER_MS } from './core/instance-reports.js';
import type { Backend } from './backend.js';

// report() only records what a supervisor says; no backend call is made (none is given).
function reconciler(metrics: OperatorMetrics) {
  return new Reconciler({ backend: {} as Backend, control: { operatorUrl: '', tokenConfig: '' }, renderConfig: () => ({ text: '', hash: '' }), metrics });
}
const server = (state: string) => ({ name: 'replica1', address: '10.0.0.2', state, weight: state === 'UP' ? 90 : 0 });

test('a server keeps its state-since time while its state holds, and a MAINT counts one drain and one event', async () => {
  const metrics = new OperatorMetrics();
  const r = reconciler(metrics);
  r.report('hello', { servers: [server('UP')] });
  const since = r.reports.get('hello')!.get('haproxy')!.servers[0]!.stateSince!;
  await new Promise((resolve) => setTimeout(resolve, 5));
  r.report('hello', { servers: [server('UP')] });
  assert.equal(r.reports.get('hello')!.get('haproxy')!.servers[0]!.stateSince, since);
  r.report('hello', { servers: [server('MAINT')] });
  assert.ok(r.reports.get('hello')!.get('haproxy')!.servers[0]!.stateSince! > since);
  r.report('hello', { servers: [server('MAINT')] });
  assert.equal((await metrics.drains.get()).values[0]!.value, 1);
  assert.deepEqual(r.events.list('hello').map((e) => e.reason), ['ReplicaDrained']);
  r.queue.stop();
});

test('a reload reported by a supervisor is counted by outcome and its duration observed, once per config', async () => {
  const metrics = new OperatorMetrics();
  const r = reconciler(metrics);
  r.report('hello', { configHash: 'a', lastOutcome: 'reload', lastReloadSeconds: 0.42, servers: [] });
  r.report('hello', { configHash: 'a', lastOutcome: 'reload', lastReloadSeconds: 0.42, servers: [] });
  const updates = (await metrics.configUpdates.get()).values.filter((v) => v.labels.outcome === 'reload');
  assert.equal(updates[0]!.value, 1);
  const count = (await metrics.reloadDuration.get()).values.find((v) => v.metricName === 'bso_haproxy_reload_duration_seconds_count');
  assert.equal(count!.value, 1);
  r.queue.stop();
});

test('a report enqueues its service, except while the service backs off after a failure', () => {
  const r = reconciler(new OperatorMetrics());
  r.report('hello', { servers: [] });
  assert.equal(r.queue.depth, 1);
  r.queue.addRateLimited('other');
  r.report('other', { servers: [] });
  assert.equal(r.queue.depth, 1, 'a report retried a failing key before its backoff ended');
  r.queue.stop();
});

test('a report that changes only weights updates the status servers without a reconcile; a state change reconciles', () => {
  const r = reconciler(new OperatorMetrics());
  const up = (weight: number) => ({ name: 'replica1', address: '10.0.0.2', state: 'UP', weight });
  r.statuses.set('hello', { observedGeneration: 1, replicas: 1, readyReplicas: 1, conditions: [], servers: [up(90)] });
  r.report('hello', { configHash: 'a', servers: [up(90)] });
  assert.equal(r.queue.depth, 1, 'the first report of a config reconciles');
  r.queue.stop();
  const quiet = reconciler(new OperatorMetrics());
  quiet.statuses.set('hello', { observedGeneration: 1, replicas: 1, readyReplicas: 1, conditions: [], servers: [up(90)] });
  quiet.reports.set('hello', new Map([['haproxy', { configHash: 'a', servers: [up(90)], receivedAt: 0 }]]));
  quiet.report('hello', { configHash: 'a', servers: [up(42)] });
  assert.equal(quiet.queue.depth, 0, 'a weight change read Docker');
  assert.equal(quiet.statuses.get('hello')!.servers[0]!.weight, 42);
  quiet.report('hello', { configHash: 'a', servers: [{ ...up(0), state: 'MAINT' }] });
  assert.equal(quiet.queue.depth, 1, 'a state change must reconcile (conditions)');
  quiet.queue.stop();
});

test('two HAProxy instances: each keeps its own report; one that stops reporting is forgotten after STALE_AFTER_MS, with an event and a reconcile', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const r = reconciler(new OperatorMetrics());
  r.report('hello', { instance: 'node1-haproxy', configHash: 'a', servers: [server('UP')] });
  r.report('hello', { instance: 'node2-haproxy', configHash: 'a', servers: [server('MAINT')] });
  assert.deepEqual([...r.reports.get('hello')!.keys()], ['node1-haproxy', 'node2-haproxy']);
  assert.deepEqual(r.events.list('hello').map((e) => e.reason), ['HAProxyInstanceReporting', 'ReplicaDrained'], 'the second instance sees replica1 in MAINT: the combined view does');
  r.queue.stop();
  t.mock.timers.tick(6000);
  r.report('hello', { instance: 'node1-haproxy', configHash: 'a', servers: [server('UP')] });
  t.mock.timers.tick(STALE_AFTER_MS - 6000 + 200);
  assert.deepEqual([...r.reports.get('hello')!.keys()], ['node1-haproxy'], 'node2 silent for more than STALE_AFTER_MS');
  assert.match(r.events.list('hello').at(-1)!.message, /HAProxy instance node2-haproxy has not reported for 12 s/);
  t.mock.timers.tick(60_000);
  assert.deepEqual([...r.reports.get('hello')!.keys()], ['node1-haproxy'], 'the last one reporting stays');
});
