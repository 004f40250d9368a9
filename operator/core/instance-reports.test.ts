import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineReports, instanceStatuses, STALE_AFTER_MS, staleInstances } from './instance-reports.js';
import type { SupervisorReport } from './service-status.js';

const server = (name: string, state: string, weight: number) => ({ name, address: `10.0.0.${name.slice(-1)}`, state, weight });
const report = (configHash: string, receivedAt: number, servers: SupervisorReport['servers'], extra: Partial<SupervisorReport> = {}): SupervisorReport =>
  ({ configHash, receivedAt, servers, ...extra });

test('one instance: its report is the view, as it was before there could be several', () => {
  const only = report('a', 1, [server('replica1', 'UP', 90)]);
  assert.equal(combineReports(new Map([['h1', only]])), only);
  assert.equal(combineReports(new Map()), undefined);
});

test('several instances: the config is applied when all serve it; each server has the worst state any instance sees, at that instance\'s weight', () => {
  const reports = new Map([
    ['h2', report('a', 2, [server('replica1', 'UP', 90), server('replica2', 'MAINT', 0), server('replica3', 'UP', 70)])],
    ['h1', report('a', 1, [server('replica1', 'UP', 80), server('replica2', 'UP', 90), server('replica3', 'DOWN', 0)])],
  ]);
  const combined = combineReports(reports)!;
  assert.equal(combined.configHash, 'a');
  assert.deepEqual(combined.servers.map((s) => [s.name, s.state, s.weight]), [['replica1', 'UP', 80], ['replica2', 'MAINT', 0], ['replica3', 'DOWN', 0]]);
  reports.set('h3', report('b', 3, []));
  assert.equal(combineReports(reports)!.configHash, undefined, 'not applied while one instance serves another config');
});

test('a rejected config and an engaged panic guard of any instance show in the combined view', () => {
  const guard = { active: true, thresholdPercent: 50, held: [{ name: 'replica1', address: '10.0.0.1' }] };
  const combined = combineReports(new Map([
    ['h1', report('a', 5, [], { rejectedHash: 'b', lastError: 'haproxy -c: bad' })],
    ['h2', report('a', 9, [], { panicGuard: guard })],
  ]))!;
  assert.deepEqual([combined.rejectedHash, combined.lastError, combined.panicGuard], ['b', 'haproxy -c: bad', guard]);
});

test('each instance\'s own view, by name', () => {
  const statuses = instanceStatuses(new Map([
    ['h2', report('a', Date.UTC(2026, 11, 7, 22, 0, 0), [{ ...server('replica1', 'UP', 90), agent: 'ready 90%' }])],
    ['h1', report('b', Date.UTC(2026, 11, 7, 22, 0, 1), [])],
  ]));
  assert.deepEqual(statuses, [
    { name: 'h1', configHash: 'b', reportedAt: '2026-12-07T22:00:01.000Z', servers: [] },
    { name: 'h2', configHash: 'a', reportedAt: '2026-12-07T22:00:00.000Z', servers: [{ name: 'replica1', address: '10.0.0.1', state: 'UP', weight: 90 }] },
  ]);
});

test('an instance silent for more than STALE_AFTER_MS is forgotten, unless every instance is: then the last heard from stays', () => {
  const now = 100_000;
  const reports = new Map([['h1', report('a', now - STALE_AFTER_MS - 1, [])], ['h2', report('a', now - 1000, [])], ['h3', report('a', now - STALE_AFTER_MS, [])]]);
  assert.deepEqual(staleInstances(reports, now), ['h1']);
  const silent = new Map([['h1', report('a', 1, [])], ['h2', report('a', 3, [])], ['h3', report('a', 2, [])]]);
  assert.deepEqual(staleInstances(silent, now), ['h1', 'h3']);
});
