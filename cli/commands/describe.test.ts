import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverTable } from './describe.js';

test('describe\'s servers: HAProxy state, weight and time in state, and CPU from Prometheus by host', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const servers = [
    { name: 'replica1', address: '10.0.1.5', state: 'MAINT', weight: 0, stateSince: Date.parse('2026-01-01T00:00:30Z'), agent: 'CHECKED', task: 'hello-api.2', container: '0123456789ab' },
    { name: 'replica2', address: '10.0.1.6', state: 'UP', weight: 97 },
  ];
  assert.deepEqual(serverTable(servers, new Map([['10.0.1.5', 0.934]]), now), [
    ['NAME', 'TASK', 'CONTAINER', 'ADDRESS', 'STATE', 'SINCE', 'WEIGHT', 'CPU', 'AGENT'],
    ['replica1', 'hello-api.2', '0123456789ab', '10.0.1.5', 'MAINT', '30s', '0', '93%', 'CHECKED'],
    ['replica2', '-', '-', '10.0.1.6', 'UP', '-', '97', '-', '-'],
  ]);
  assert.equal(serverTable(servers)[1]![7], '-');
});

test('describe\'s CPU without Prometheus: what the supervisor reported from the replica (Prometheus wins when given)', () => {
  const servers = [{ name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 80, cpu: 0.42 }, { name: 'replica2', address: '10.0.1.6', state: 'UP', weight: 99 }];
  const rows = serverTable(servers);
  assert.deepEqual([rows[1]![7], rows[2]![7]], ['42%', '-']);
  assert.equal(serverTable(servers, new Map([['10.0.1.5', 0.5]]))[1]![7], '50%');
});
