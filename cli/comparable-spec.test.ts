import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparableStored, inOrderOf } from './comparable-spec.js';

test('inOrderOf: the template\'s key order at every depth, other keys after it sorted, arrays item by item', () => {
  const stored = { b: 1, a: { z: 1, y: [{ q: 1, p: 2 }] }, extra: 2, c: 3 };
  const template = { c: 0, a: { y: [{ p: 0, q: 0 }], z: 0 }, b: 0 };
  assert.deepEqual(JSON.stringify(inOrderOf(stored, template)), JSON.stringify({ c: 3, a: { y: [{ p: 2, q: 1 }], z: 1 }, b: 1, extra: 2 }));
});

test('comparableStored: the namespace the store added goes when the file names none, stays when it does', () => {
  const file = { metadata: { name: 'web' }, spec: { image: 'x', replicas: 2 } };
  const stored = { metadata: { namespace: 'bso-system', name: 'web' }, spec: { replicas: 2, image: 'x' } };
  assert.equal(JSON.stringify(comparableStored(stored, file)), JSON.stringify(file));
  const named = { metadata: { name: 'web', namespace: 'shop' }, spec: file.spec };
  assert.deepEqual(comparableStored(stored, named).metadata, { name: 'web', namespace: 'bso-system' }, 'a different namespace is a difference');
});
