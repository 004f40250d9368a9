import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HAProxyInstances, INSTANCE_WINDOW_MS } from './haproxy-instances.js';
import { decideAgentReply, replyForInstances } from '../policy/decide-agent-reply.js';

test('HAProxy instances are the addresses that asked within the window; at least 1', () => {
  const seen = new HAProxyInstances();
  assert.equal(seen.count(0), 1);
  seen.seen('10.0.0.2', 0);
  seen.seen('10.0.0.2', 500);
  seen.seen('10.0.0.3', 600);
  seen.seen(undefined, 700);
  assert.equal(seen.count(1000), 2);
  assert.equal(seen.count(500 + INSTANCE_WINDOW_MS), 2);
  assert.equal(seen.count(600 + INSTANCE_WINDOW_MS + 1), 1, 'both went quiet');
});

test('each of several HAProxy instances gets its share of the concurrency, rounded up; weight and states unchanged', () => {
  const ready = decideAgentReply(undefined, { loadPercent: 10, nowMs: 0, draining: false, weightPercent: 80, concurrency: 7 }, { maintAt: 80, readyAt: 60, minMaintMs: 0 });
  assert.equal(ready.reply, 'ready 80% maxconn:7\n');
  assert.equal(replyForInstances(ready, 1), 'ready 80% maxconn:7\n');
  assert.equal(replyForInstances(ready, 2), 'ready 80% maxconn:4\n');
  assert.equal(replyForInstances(ready, 3), 'ready 80% maxconn:3\n');
  const maint = decideAgentReply(ready, { loadPercent: 95, nowMs: 1, draining: false, weightPercent: 1, concurrency: 7 }, { maintAt: 80, readyAt: 60, minMaintMs: 0 });
  assert.equal(replyForInstances(maint, 2), 'maint #load=95\n');
  const binary = decideAgentReply(undefined, { loadPercent: 10, nowMs: 0, draining: false, weightPercent: 50, concurrency: 7 }, { maintAt: 80, readyAt: 60, minMaintMs: 0, weighting: 'binary' });
  assert.equal(binary.reply, 'ready 100%\n', 'the seed\'s agent sends no concurrency');
});
