import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePanicGuard, INACTIVE, type GuardServer, type GuardState } from './panic-guard.js';

const up = (name: string): GuardServer => ({ name, address: `10.0.0.${name.slice(-1)}:8080`, state: 'UP', agent: { state: 'ready' } });
const maint = (name: string, loadPercent?: number): GuardServer => ({ name, address: `10.0.0.${name.slice(-1)}:8080`, state: 'MAINT', agent: { state: 'maint', loadPercent } });
const HOLD_MS = 5000;

test('enough servers serve: nothing held', () => {
  const d = decidePanicGuard(INACTIVE, [up('r1'), maint('r2', 95)], 50, 0, HOLD_MS);
  assert.deepEqual([d.hold, d.release, d.state, d.needed, d.serving], [[], [], { held: [], sinceMs: undefined }, 1, 1]);
});

test('every server in maint: the least-loaded ones are held until threshold% serve', () => {
  const servers = [maint('r1', 97), maint('r2', 91), maint('r3', 99), maint('r4'), maint('r5', 93)];
  const d = decidePanicGuard(INACTIVE, servers, 50, 1000, HOLD_MS);
  assert.deepEqual(d.hold, ['r2', 'r5', 'r1']); // ceil(2.5) = 3, lowest loads first
  assert.equal(d.state.sinceMs, 1000);
  assert.deepEqual(d.state.held.map((h) => [h.name, h.loadPercent]), [['r1', 97], ['r2', 91], ['r5', 93]]);
  assert.equal(d.serving, 3);
});

test('unknown loads come last, then by name; servers whose agent did not answer maint are never held', () => {
  const silent: GuardServer = { name: 'r1', address: '10.0.0.1:8080', state: 'MAINT' };
  const d = decidePanicGuard(INACTIVE, [silent, maint('r3'), maint('r2'), maint('r4', 99)], 100, 0, HOLD_MS);
  assert.deepEqual(d.hold, ['r4', 'r2', 'r3']);
});

test('DOWN, draining and empty slots do not count and are not held', () => {
  const servers: GuardServer[] = [{ name: 'r1', address: '10.0.0.1:8080', state: 'DOWN' }, { name: 'r2', address: '10.0.0.2:8080', state: 'DRAIN' }, maint('r3', 90), maint('r4', 80)];
  const d = decidePanicGuard(INACTIVE, servers, 50, 0, HOLD_MS);
  assert.deepEqual([d.eligible, d.needed, d.hold], [2, 1, ['r4']]);
});

test('threshold 0 disables the guard and releases what it held', () => {
  assert.deepEqual(decidePanicGuard(INACTIVE, [maint('r1'), maint('r2')], 0, 0, HOLD_MS).hold, []);
  const held: GuardState = { held: [{ name: 'r1', address: '10.0.0.1:8080', sinceMs: 0 }], sinceMs: 0 };
  const d = decidePanicGuard(held, [up('r1'), maint('r2')], 0, 1, HOLD_MS);
  assert.deepEqual(d.release.map((r) => r.name), ['r1']);
  assert.deepEqual(d.state, { held: [], sinceMs: undefined });
});

test('a held server is released when its own agent says ready, went DOWN or its slot has another replica', () => {
  const held: GuardState = { held: ['r1', 'r2', 'r3'].map((name) => ({ name, address: `10.0.0.${name.slice(-1)}:8080`, sinceMs: 0 })), sinceMs: 0 };
  const servers: GuardServer[] = [
    { ...up('r1'), agent: { state: 'ready', loadPercent: 40 } },
    { name: 'r2', address: '10.0.0.2:8080', state: 'DOWN', agent: { state: 'maint' } },
    { name: 'r3', address: '10.0.0.9:8080', state: 'MAINT', agent: { state: 'maint' } },
    { ...up('r4'), state: 'UP' },
  ];
  const d = decidePanicGuard(held, servers, 50, 100, HOLD_MS);
  assert.deepEqual(d.release.map((r) => r.name), ['r1', 'r2', 'r3']);
  assert.ok(d.release.every((r) => r.why.length > 0));
  assert.deepEqual(d.hold, []); // r1 and r4 serve: 2 of 3 eligible (ceil 1.5 = 2)
});

test('the guard is released only after the minimum hold, once enough serve without it', () => {
  const held: GuardState = { held: [{ name: 'r3', address: '10.0.0.3:8080', sinceMs: 1000 }], sinceMs: 1000 };
  const servers = [up('r1'), up('r2'), { ...maint('r3', 90), state: 'UP' as const }];
  const early = decidePanicGuard(held, servers, 50, 1000 + HOLD_MS - 1, HOLD_MS);
  assert.deepEqual([early.release, early.state.held.map((h) => h.name), early.state.sinceMs], [[], ['r3'], 1000]);
  const late = decidePanicGuard(held, servers, 50, 1000 + HOLD_MS, HOLD_MS);
  assert.deepEqual(late.release.map((r) => r.name), ['r3']);
  assert.deepEqual(late.state, { held: [], sinceMs: undefined });
});

test('a held server seen in MAINT again is reasserted, not held twice; the episode keeps its start', () => {
  const held: GuardState = { held: [{ name: 'r1', address: '10.0.0.1:8080', sinceMs: 10 }], sinceMs: 10 };
  const d = decidePanicGuard(held, [maint('r1', 95), maint('r2', 97)], 100, 50, HOLD_MS);
  assert.deepEqual([d.reassert, d.hold, d.state.sinceMs], [['r1'], ['r2'], 10]);
  assert.deepEqual(d.state.held.map((h) => [h.name, h.sinceMs]), [['r1', 10], ['r2', 50]]);
});

test('as load falls server by server the guard lets go, and does not hold again while enough serve', () => {
  let state: GuardState = INACTIVE;
  let t = 0;
  const step = (servers: GuardServer[]) => { const d = decidePanicGuard(state, servers, 50, t, HOLD_MS); state = d.state; t += 1000; return d; };
  step([maint('r1', 95), maint('r2', 92)]);
  assert.deepEqual(state.held.map((h) => h.name), ['r2']);
  step([maint('r1', 95), { ...maint('r2', 92), state: 'UP' }]);
  assert.deepEqual(state.held.map((h) => h.name), ['r2']);
  const d = step([maint('r1', 70), { ...up('r2'), agent: { state: 'ready', loadPercent: 50 } }]);
  assert.deepEqual([d.release.map((r) => r.name), d.hold, state.held], [['r2'], [], []]);
});

