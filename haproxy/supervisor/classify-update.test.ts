import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderServiceConfig } from '../render/render-service.js';
import { slotsFor } from '../render/slots.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { classifyUpdate } from './classify-update.js';

const hello = loadSpec('examples/hello.yaml');
const render = (mutate: (s: typeof hello) => void = () => {}, slots = slotsFor(2)) => {
  const spec = structuredClone(hello);
  mutate(spec);
  return renderServiceConfig(spec, { discovery: { kind: 'swarm' }, slots }).text;
};

test('same bytes: noop; scaling within the slots renders the same bytes', () => {
  assert.deepEqual(classifyUpdate(render(), render()), { kind: 'noop' });
  assert.deepEqual(classifyUpdate(render(), render((s) => { s.spec.replicas = 7; }, slotsFor(7, slotsFor(2)))), { kind: 'noop' });
});

test('per-server maxconn: runtime, one command per slot (agent-checked and panic backend slots)', () => {
  const plan = classifyUpdate(render(), render((s) => { s.spec.haproxy.maxconnPerServer = 250; }));
  assert.equal(plan.kind, 'runtime');
  assert.equal(plan.kind === 'runtime' && plan.commands.length, 32);
  assert.equal(plan.kind === 'runtime' && plan.commands[0], 'set maxconn server hello-api/replica1 250');
  assert.equal(plan.kind === 'runtime' && plan.commands[15], 'set maxconn server hello-api/replica16 250');
  assert.equal(plan.kind === 'runtime' && plan.commands[31], 'set maxconn server hello-panic/panic16 250');
});

test('panic threshold: another percent is a comment (runtime, nothing to send); 0 drops the backup slots (reload)', () => {
  assert.deepEqual(classifyUpdate(render(), render((s) => { s.spec.haproxy.panicThreshold = 80; })), { kind: 'runtime', commands: [], reason: 'only comments or spacing changed' });
  assert.equal(classifyUpdate(render(), render((s) => { s.spec.haproxy.panicThreshold = 0; })).kind, 'reload');
});

test('weight: runtime', () => {
  const plan = classifyUpdate(render(), render().replace('weight 100', 'weight 50'));
  assert.equal(plan.kind, 'runtime');
  assert.equal(plan.kind === 'runtime' && plan.commands[2], 'set weight hello-api/replica3 50');
});

test('structure and other values: reload, with a reason', () => {
  const cases: Array<[string, string]> = [
    ['retries', render((s) => { s.spec.haproxy.retries = 5; })],
    ['slots', render((s) => { s.spec.replicas = 40; }, slotsFor(40))],
    ['balance', render((s) => { s.spec.haproxy.balance = 'roundrobin'; })],
    ['timeout', render((s) => { s.spec.haproxy.timeouts.server = '1m'; })],
    ['port', render((s) => { s.spec.haproxy.port = 81; })],
    ['a line more', render() + 'listen x\n    bind :1\n'],
    ['maxconn and check interval together', render((s) => { s.spec.haproxy.maxconnPerServer = 3; s.spec.healthCheck.interval = '3s'; })],
  ];
  for (const [label, next] of cases) {
    const plan = classifyUpdate(render(), next);
    assert.equal(plan.kind, 'reload', label);
    assert.ok(plan.kind === 'reload' && plan.reason.length > 0, label);
  }
  assert.deepEqual(classifyUpdate(undefined, render()), { kind: 'reload', reason: 'no config applied yet' });
});

test('a keyword swapped for a value is not a runtime change', () => {
  assert.equal(classifyUpdate(render(), render().replace('maxconn 100', 'maxconn 100x')).kind, 'reload');
  assert.equal(classifyUpdate(render(), render().replace('weight 100 maxconn', 'weight 100 slowstart')).kind, 'reload');
});
