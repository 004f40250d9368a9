import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, percentileOfSorted, summarize } from './stats.js';

test('nearest-rank percentiles', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentileOfSorted(values, 0.5), 500);
  assert.equal(percentileOfSorted(values, 0.99), 990);
  assert.equal(percentileOfSorted(values, 0.999), 999);
  assert.equal(percentileOfSorted(values, 1), 1000);
  assert.equal(percentileOfSorted(values, 0), 1);
  assert.equal(percentileOfSorted([7], 0.999), 7);
  assert.ok(Number.isNaN(percentileOfSorted([], 0.5)));
});

test('median and spread ignore runs without a value and count them', () => {
  assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3, missing: 0 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4, missing: 0 });
  assert.deepEqual(summarize([5, Number.NaN, 1]), { median: 3, min: 1, max: 5, n: 2, missing: 1 });
  const none = summarize([Number.NaN]);
  assert.equal(none.n, 0);
  assert.equal(none.missing, 1);
  assert.ok(Number.isNaN(none.median));
});

test('numbers for people', () => {
  assert.equal(formatNumber(1234.5), '1235');
  assert.equal(formatNumber(123.45), '123');
  assert.equal(formatNumber(12.345), '12.3');
  assert.equal(formatNumber(1.2345), '1.23');
  assert.equal(formatNumber(0.012345), '0.012');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(Number.NaN), '-');
});
