import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SLOTS, MIN_SLOTS, slotsFor } from './slots.js';

test('slots are a power of two with room for twice the replicas, at least MIN_SLOTS', () => {
  assert.equal(slotsFor(0), MIN_SLOTS);
  assert.equal(slotsFor(2), 16);
  assert.equal(slotsFor(8), 16);
  assert.equal(slotsFor(9), 32);
  assert.equal(slotsFor(300), 1024);
  assert.equal(slotsFor(1000), MAX_SLOTS);
  for (let replicas = 0; replicas <= 1000; replicas++) assert.ok(slotsFor(replicas) >= replicas, `replicas ${replicas}`);
});

test('scaling within the current slots keeps them (so it never reloads), in both directions', () => {
  let slots = slotsFor(2);
  for (const replicas of [3, 8, 12, 16, 1, 0, 16]) {
    assert.equal(slotsFor(replicas, slots), slots, `replicas ${replicas}`);
  }
  slots = slotsFor(17, slots);
  assert.equal(slots, 64, 'only exceeding the slots grows them');
  assert.equal(slotsFor(2, slots), 64, 'and they do not shrink back by themselves');
});

test('a nonsensical current slot count is ignored', () => {
  assert.equal(slotsFor(2, 0), 16);
  assert.equal(slotsFor(2, 1.5), 16);
  assert.equal(slotsFor(2, 1_000_000), 16);
  assert.throws(() => slotsFor(-1), RangeError);
});
