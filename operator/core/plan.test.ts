import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredStateFor } from './desired-state.js';
import { planFor, type ObservedObject } from './plan.js';
import { LABEL_OWNER } from '../../contract/names.js';
import { CONTROL, loadExample } from '../../test/operator/specs.js';

const desired = desiredStateFor(loadExample(), CONTROL);

/** The observed world after every desired object was created exactly as desired. */
function converged(): ObservedObject[] {
  return [
    { kind: 'network', id: 'n1', name: 'hello-net', labels: desired.network.labels },
    { kind: 'secret', id: 's1', name: 'hello-stats-auth', labels: desired.secrets[0]!.labels },
    ...desired.services.map((service, i): ObservedObject => ({ kind: 'service', id: `svc${i}`, name: service.name, labels: service.labels, version: 10 + i, service: structuredClone(service) })),
  ];
}

test('nothing exists: create network, secret, then services in order', () => {
  const plan = planFor('hello', desired, [], []);
  assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.kind}`), ['create network', 'create secret', 'create service', 'create service']);
  assert.deepEqual(plan.conflicts, []);
});

test('an unchanged spec plans zero writes', () => {
  const world = converged();
  assert.deepEqual(planFor('hello', desired, world, world).actions, []);
});

test('replicas scaled by hand are reverted, with the observed version', () => {
  const world = converged();
  world[2]!.service!.replicas = 5;
  const plan = planFor('hello', desired, world, world);
  assert.equal(plan.actions.length, 1);
  const action = plan.actions[0]!;
  assert.equal(action.type, 'update');
  assert.ok(action.type === 'update' && action.version === 10 && /replicas drifted to 5/.test(action.reason));
});

test('any other hand edit of a field bso sets is drift', () => {
  const world = converged();
  world[3]!.service!.env.BSO_OPERATOR_URL = 'http://evil';
  const plan = planFor('hello', desired, world, world);
  assert.deepEqual(plan.actions.map((a) => a.type === 'update' && a.reason), ['service was changed outside bso']);
});

test('a changed spec updates the service whose hash changed', () => {
  const world = converged();
  const next = desiredStateFor(loadExample((t) => t.replace('replicas: 2', 'replicas: 4')), CONTROL);
  const plan = planFor('hello', next, world, world);
  assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.kind} ${a.type !== 'delete' && a.kind === 'service' ? a.service.name : ''}`), ['update service hello-api']);
});

test('a foreign object with our name is a conflict, never overwritten', () => {
  const foreign: ObservedObject = { kind: 'service', id: 'x', name: 'hello-haproxy', labels: { owner: 'someone' } };
  const plan = planFor('hello', desired, [], [foreign]);
  assert.equal(plan.conflicts.length, 1);
  assert.match(plan.conflicts[0]!.message, /hello-haproxy exists and is not owned/);
  assert.ok(!plan.actions.some((a) => a.kind === 'service' && a.type !== 'delete' && a.service.name === 'hello-haproxy'));
});

test('a deleted spec deletes everything owned: services first, then secrets, then the network', () => {
  const world = converged();
  const plan = planFor('hello', undefined, world, []);
  assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.kind}`), ['delete service', 'delete service', 'delete secret', 'delete network']);
});

test('objects owned by another BalancedService are never touched', () => {
  const other: ObservedObject = { kind: 'service', id: 'o', name: 'other-api', labels: { [LABEL_OWNER]: 'other' } };
  const plan = planFor('hello', desired, [], [other]);
  assert.ok(!plan.actions.some((a) => a.type === 'delete'));
});

test('a revision the orchestrator rolled back is held, not applied again; another revision is applied', () => {
  const world = converged();
  const api = desired.services[0]!;
  const observedApi = world.find((o) => o.name === api.name)!;
  const rolledBack: ObservedObject = {
    ...observedApi,
    labels: { ...observedApi.labels, 'bso.dev/spec-hash': 'the-old-one' },
    failedRevision: { revision: api.labels['bso.dev/revision']!, message: 'Swarm rollback completed: rollback completed' },
  };
  const held = planFor('hello', desired, world.map((o) => (o === observedApi ? rolledBack : o)), world.map((o) => (o === observedApi ? rolledBack : o)));
  assert.deepEqual(held.actions, []);
  assert.deepEqual(held.held, [{ service: api.name, failed: rolledBack.failedRevision }]);
  const other: ObservedObject = { ...rolledBack, failedRevision: { revision: 'another', message: 'x' } };
  const applied = planFor('hello', desired, world.map((o) => (o === observedApi ? other : o)), world.map((o) => (o === observedApi ? other : o)));
  assert.deepEqual(applied.actions.map((a) => `${a.type} ${a.kind}`), ['update service']);
  assert.deepEqual(applied.held, []);
});
