import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_INJECTED_DELAY_MS, parseInjectedDelay } from './injected-delay.js';

test('the delay file holds a whole number of ms within bounds; anything else is no delay', () => {
  assert.equal(parseInjectedDelay('25\n'), 25);
  assert.equal(parseInjectedDelay(' 0 '), 0);
  assert.equal(parseInjectedDelay(String(MAX_INJECTED_DELAY_MS)), MAX_INJECTED_DELAY_MS);
  for (const bad of ['', 'x', '-5', '2.5', '1e3', String(MAX_INJECTED_DELAY_MS + 1), '999999999']) assert.equal(parseInjectedDelay(bad), 0, bad);
});
