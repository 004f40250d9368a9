// The one loader of stored specs: defaults filled in, or every issue with its path; never a
// half-typed object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSpecFromStore } from './spec-from-store.js';

const head = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService' };

test('a stored spec with only the image comes back with every default', () => {
  const loaded = loadSpecFromStore({ ...head, metadata: { name: 'web' }, spec: { image: 'app:1' } }, 'web', 'store web');
  assert.ok(loaded.valid);
  assert.deepEqual(loaded.object.spec.agent.thresholds, { maint: 80, ready: 60 });
  assert.equal(loaded.object.spec.haproxy.timeouts.queue, '750ms');
});

test('what a store adds (status, resourceVersion-like fields) is ignored; only apiVersion, kind, metadata and spec are read', () => {
  const loaded = loadSpecFromStore({ ...head, metadata: { name: 'web' }, spec: { image: 'app:1' }, status: { anything: true }, extra: 1 }, 'web', 'store web');
  assert.ok(loaded.valid, JSON.stringify(loaded));
});

test('an invalid stored spec is its issues, located in the stored object, and what was stored for display', () => {
  const loaded = loadSpecFromStore({ ...head, metadata: { name: 'web' }, spec: { image: 'app:1', replicas: 'two' } }, 'web', 'swarm config bso-spec-web-g2');
  assert.ok(!loaded.valid);
  assert.equal(loaded.object, undefined);
  assert.deepEqual(loaded.issues.map((i) => [i.file, i.path]), [['swarm config bso-spec-web-g2', 'spec.replicas']]);
  assert.ok(loaded.issues[0]!.line > 1, 'the line points into the stored object, one key per line');
  assert.deepEqual(loaded.stored.spec, { image: 'app:1', replicas: 'two' });
});

test('not an object at all, or under another name: invalid, and the issue stays printable', () => {
  for (const raw of [null, 'text', [1, 2], 42]) assert.equal(loadSpecFromStore(raw, 'web', 'store web').valid, false);
  const renamed = loadSpecFromStore({ ...head, metadata: { name: 'other' }, spec: { image: 'app:1' } }, 'web\u009b', 'store web');
  assert.ok(!renamed.valid);
  assert.equal(renamed.issues[0]!.path, 'metadata.name');
  assert.ok(!/[\u0080-\u009f]/.test(renamed.issues[0]!.message), renamed.issues[0]!.message);
});
