import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassed, HAProxyAdmission } from './haproxy-admission.js';
import { UNCHECKED_READY_AFTER_MS } from '../../contract/readiness.js';

test('ready once one checker passed rise checks in a row; a failure restarts its count', () => {
  const a = new HAProxyAdmission(3, 0);
  assert.equal(a.state(10, false).ready, false);
  a.healthCheck('10.0.0.5', true);
  a.healthCheck('10.0.0.5', true);
  a.healthCheck('10.0.0.5', false);
  a.healthCheck('10.0.0.6', true);
  a.healthCheck('10.0.0.5', true);
  a.healthCheck('10.0.0.5', true);
  assert.deepEqual(a.state(10, false), { ready: false, reason: "HAProxy's health checks: 2 of 3 passed in a row" });
  a.healthCheck('10.0.0.5', true);
  assert.deepEqual(a.state(10, false), { ready: true, reason: 'HAProxy at 10.0.0.5 passed 3 health checks in a row' });
});

test('once admitted it stays ready (HAProxy stops checking a replica in MAINT), unless it drains', () => {
  const a = new HAProxyAdmission(1, 0);
  a.healthCheck('10.0.0.5', true);
  a.healthCheck('10.0.0.5', false);
  assert.equal(a.state(10 * UNCHECKED_READY_AFTER_MS, false).ready, true);
  assert.deepEqual(a.state(0, true), { ready: false, reason: 'draining: shutting down' });
});

test('never checked: ready after UNCHECKED_READY_AFTER_MS (no HAProxy to wait for); checked and failing: never', () => {
  const lonely = new HAProxyAdmission(2, 1000);
  assert.equal(lonely.state(1000 + UNCHECKED_READY_AFTER_MS - 1, false).ready, false);
  assert.match(lonely.state(1000 + UNCHECKED_READY_AFTER_MS, false).reason, /no HAProxy has checked this replica in 30 s/);
  const failing = new HAProxyAdmission(2, 0);
  failing.healthCheck('10.0.0.5', false);
  assert.equal(failing.state(100 * UNCHECKED_READY_AFTER_MS, false).ready, false);
  failing.healthCheck(undefined, true); // no address: not a checker
  assert.equal(failing.state(0, false).ready, false);
});

test('HAProxy passes 2xx and 3xx (http-check expect status 200-399)', () => {
  assert.deepEqual([199, 200, 302, 399, 400, 503].map(checkPassed), [false, true, true, true, false, false]);
});
