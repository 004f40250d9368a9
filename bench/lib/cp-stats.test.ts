import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScaling, formatNumber, median, percentile } from './cp-stats.js';

test('percentile by nearest rank, median', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(values, 50), 5);
  assert.equal(percentile(values, 95), 10);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test('a linear cost never departs; per-unit costs are reported per step', () => {
  const verdict = describeScaling([{ size: 10, cost: 20 }, { size: 1, cost: 2 }, { size: 100, cost: 200 }], 'ms');
  assert.equal(verdict.departsAt, undefined);
  assert.deepEqual(verdict.steps.map((s) => [s.from, s.to, s.ratio]), [[1, 10, 1], [10, 100, 1]]);
  assert.equal(verdict.steps[1]!.perUnitTo, 2);
  assert.match(verdict.summary, /^linear or better up to 100/);
});

test('a quadratic cost departs at the first step that grows faster than the size', () => {
  const points = [1, 10, 100, 1000].map((n) => ({ size: n, cost: 5 + n * n / 10 }));
  const verdict = describeScaling(points, 'ms');
  assert.equal(verdict.departsAt, 100);
  assert.ok(verdict.steps[0]!.ratio < 1, 'the fixed part dominates the first step');
  assert.match(verdict.summary, /stops being linear at 100/);
});

test('formatNumber keeps 3 significant digits', () => {
  assert.equal(formatNumber(0.012345), '0.0123');
  assert.equal(formatNumber(123.456), '123');
  assert.equal(formatNumber(1.5), '1.50');
  assert.equal(formatNumber(0), '0');
});
