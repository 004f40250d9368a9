import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeReadyWeight } from './weight.js';

const CASES: Array<[load: number, maintAt: number, weight: number]> = [
  [0, 80, 100],
  [-3, 80, 100],
  [8, 80, 90],
  [20, 80, 75],
  [40, 80, 50],
  [60, 80, 25],
  [70, 80, 13],
  [79, 80, 1],
  [79.9, 80, 1],
  [95, 80, 1],
  [50, 100, 50],
  [Number.NaN, 80, 1],
];

for (const [load, maintAt, weight] of CASES) {
  test(`computeReadyWeight(${load}, maint ${maintAt}) = ${weight}%`, () => {
    assert.equal(computeReadyWeight(load, maintAt), weight);
  });
}

test('computeReadyWeight falls monotonically and never below 1 while ready', () => {
  let previous = Infinity;
  for (let load = 0; load < 80; load += 0.5) {
    const w = computeReadyWeight(load, 80);
    assert.ok(w <= previous, `weight rose at load ${load}`);
    assert.ok(w >= 1 && w <= 100 && Number.isInteger(w));
    previous = w;
  }
});
