import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceTable, rolloutLine, serverTable } from './describe.js';

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

test('describe\'s HAProxy instances: each one\'s config (marked when old), last report and view of the servers', () => {
  const now = Date.parse('2026-12-07T22:00:10Z');
  const instances = [
    { name: 'a1b2c3d4e5f6', configHash: 'c0bb1c66e7c2c071', reportedAt: '2026-12-07T22:00:08Z', servers: [{ name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 90 }, { name: 'replica2', address: '10.0.1.6', state: 'MAINT', weight: 0 }] },
    { name: 'f6e5d4c3b2a1', configHash: '0123456789abcdef', reportedAt: '2026-12-07T22:00:05Z', servers: [{ name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 80 }] },
  ];
  assert.deepEqual(instanceTable(instances, 'c0bb1c66e7c2c071', now), [
    ['INSTANCE', 'CONFIG', 'REPORTED', 'SERVERS'],
    ['a1b2c3d4e5f6', 'c0bb1c66e7c2', '2s ago', '1/2 UP; replica2 MAINT'],
    ['f6e5d4c3b2a1', '0123456789ab (old)', '5s ago', '1/1 UP'],
  ]);
});

test('describe\'s Rollout line: the state, what is left, the settings and how to follow it', () => {
  assert.equal(
    rolloutLine('hello', { state: 'Progressing', message: '1 of 2 replicas run revision abc, 1 of them serve in HAProxy' }, { maxSurge: 1, maxUnavailable: 0 }),
    'Rollout:     Progressing: 1 of 2 replicas run revision abc, 1 of them serve in HAProxy (maxSurge 1, maxUnavailable 0; follow it: bso rollout status hello)',
  );
});
