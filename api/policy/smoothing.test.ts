import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smoothEwma } from './smoothing.js';

const close = (actual: number, expected: number, eps = 1e-9) => assert.ok(Math.abs(actual - expected) < eps, `${actual} != ${expected}`);

test('smoothEwma starts from 0', () => {
  close(smoothEwma(undefined, 1, 1000, 1000), 1 - Math.exp(-1));
});

test('smoothEwma reaches 63 % of a step after one time constant, whatever the sample rate', () => {
  for (const stepMs of [10, 50, 250, 1000]) {
    let v = 0;
    for (let t = 0; t < 1000; t += stepMs) v = smoothEwma(v, 1, stepMs, 1000);
    close(v, 1 - Math.exp(-1), 1e-9);
  }
});

test('smoothEwma with tau 0 follows the sample', () => {
  assert.equal(smoothEwma(0.2, 0.9, 250, 0), 0.9);
});

test('smoothEwma ignores a non-finite sample and a negative elapsed time', () => {
  assert.equal(smoothEwma(0.4, Number.NaN, 250, 1000), 0.4);
  assert.equal(smoothEwma(0.4, 1, -5, 1000), 0.4);
});
