import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAgentReply, formatAgentReply, type AgentDecision, type AgentPolicy, type AgentState } from './decide-agent-reply.js';

const POLICY: AgentPolicy = { maintAt: 80, readyAt: 60, minMaintMs: 5000 };

/** Feeds [timeMs, loadPercent] steps through the state machine; returns the state after each. */
function run(steps: Array<[number, number]>, policy = POLICY, start?: AgentDecision): AgentState[] {
  let decision = start;
  return steps.map(([nowMs, loadPercent]) => {
    decision = decideAgentReply(decision, { loadPercent, nowMs, draining: false }, policy);
    return decision.state;
  });
}

const maintSince = (sinceMs: number): AgentDecision => ({ state: 'maint', weightPercent: 0, concurrency: 0, sinceMs, loadPercent: 90, reply: 'maint\n' });

const CASES: Array<{ name: string; steps: Array<[number, number]>; start?: AgentDecision; want: AgentState[] }> = [
  { name: 'rising: maint exactly at the threshold', steps: [[0, 10], [1, 50], [2, 70], [3, 79.9], [4, 80]], want: ['ready', 'ready', 'ready', 'ready', 'maint'] },
  { name: 'rising far above', steps: [[0, 150]], want: ['maint'] },
  { name: 'falling: ready exactly at the threshold', start: maintSince(-10_000), steps: [[0, 79], [1, 70], [2, 60.1], [3, 60]], want: ['maint', 'maint', 'maint', 'ready'] },
  { name: 'flapping between the thresholds while ready', steps: [[0, 61], [1, 79], [2, 62], [3, 79.99], [4, 60], [5, 79]], want: ['ready', 'ready', 'ready', 'ready', 'ready', 'ready'] },
  { name: 'flapping between the thresholds while maint', start: maintSince(-10_000), steps: [[0, 61], [1, 79], [2, 62], [3, 79.99], [4, 60.5]], want: ['maint', 'maint', 'maint', 'maint', 'maint'] },
  { name: 'flapping across both thresholds', start: maintSince(-10_000), steps: [[0, 59], [1, 81], [2, 59], [3, 81]], want: ['ready', 'maint', 'maint', 'maint'] },
  { name: 'minimum time in maint', steps: [[0, 90], [1000, 10], [4999, 10], [5000, 10], [5001, 10]], want: ['maint', 'maint', 'maint', 'ready', 'ready'] },
  { name: 'minimum time counts from entering maint, not from the last sample', steps: [[0, 90], [3000, 95], [5000, 50]], want: ['maint', 'maint', 'ready'] },
  { name: 'load gone but still above ready after the minimum', steps: [[0, 90], [6000, 70], [7000, 65], [8000, 55]], want: ['maint', 'maint', 'maint', 'ready'] },
];

for (const c of CASES) {
  test(`decideAgentReply: ${c.name}`, () => {
    assert.deepEqual(run(c.steps, POLICY, c.start), c.want);
  });
}

test('decideAgentReply: minMaintMs 0 leaves maint as soon as the load is at ready', () => {
  assert.deepEqual(run([[0, 80], [1, 60]], { ...POLICY, minMaintMs: 0 }), ['maint', 'ready']);
});

test('decideAgentReply: sinceMs changes only with the state', () => {
  let d = decideAgentReply(undefined, { loadPercent: 10, nowMs: 100, draining: false }, POLICY);
  assert.equal(d.sinceMs, 100);
  d = decideAgentReply(d, { loadPercent: 20, nowMs: 200, draining: false }, POLICY);
  assert.equal(d.sinceMs, 100);
  d = decideAgentReply(d, { loadPercent: 85, nowMs: 300, draining: false }, POLICY);
  assert.deepEqual([d.state, d.sinceMs], ['maint', 300]);
  d = decideAgentReply(d, { loadPercent: 85, nowMs: 400, draining: false }, POLICY);
  assert.equal(d.sinceMs, 300);
});

test('decideAgentReply: drain wins over every load and is final', () => {
  let d = decideAgentReply(maintSince(0), { loadPercent: 99, nowMs: 10, draining: true }, POLICY);
  assert.equal(d.state, 'drain');
  d = decideAgentReply(d, { loadPercent: 0, nowMs: 20_000, draining: false }, POLICY);
  assert.deepEqual([d.state, d.weightPercent, d.reply], ['drain', 0, 'drain\n']);
});

test('decideAgentReply: replies and weights per state', () => {
  const ready = decideAgentReply(undefined, { loadPercent: 40, nowMs: 0, draining: false }, POLICY);
  assert.deepEqual([ready.reply, ready.weightPercent], ['ready 50%\n', 50]);
  const maint = decideAgentReply(ready, { loadPercent: 80, nowMs: 1, draining: false }, POLICY);
  assert.deepEqual([maint.reply, maint.weightPercent], ['maint #load=80\n', 0]);
});

test('formatAgentReply: one ASCII line in HAProxy agent syntax', () => {
  assert.equal(formatAgentReply('ready', 1), 'ready 1%\n');
  assert.equal(formatAgentReply('ready', 100), 'ready 100%\n');
  assert.equal(formatAgentReply('maint', 0), 'maint\n');
  assert.equal(formatAgentReply('maint', 0, 93.4), 'maint #load=93\n');
  assert.equal(formatAgentReply('maint', 0, 1e9), 'maint #load=9999\n');
  assert.equal(formatAgentReply('drain', 0, 93), 'drain\n');
  assert.equal(formatAgentReply('ready', 40, 93), 'ready 40%\n');
  assert.equal(formatAgentReply('drain', 0), 'drain\n');
  for (const line of [formatAgentReply('ready', 37), formatAgentReply('maint', 0), formatAgentReply('maint', 0, 123.456)]) {
    assert.match(line, /^[\x20-\x7e]+\n$/);
  }
});

test('binary weighting answers ready 100% at any load below maint, and maint above it', () => {
  const policy = { maintAt: 80, readyAt: 60, minMaintMs: 0, weighting: 'binary' as const };
  const at = (loadPercent: number, previous?: ReturnType<typeof decideAgentReply>) =>
    decideAgentReply(previous, { loadPercent, nowMs: 0, draining: false }, policy);
  assert.equal(at(10).reply, 'ready 100%\n');
  assert.equal(at(79).reply, 'ready 100%\n');
  const hot = at(85);
  assert.equal(hot.reply, 'maint #load=85\n');
  assert.equal(at(70, hot).reply, 'maint #load=70\n');
  assert.equal(at(60, hot).reply, 'ready 100%\n');
  assert.equal(decideAgentReply(undefined, { loadPercent: 40, nowMs: 0, draining: false }, { ...policy, weighting: 'proportional' }).reply, 'ready 50%\n');
});
