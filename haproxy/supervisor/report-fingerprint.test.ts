import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportFingerprint } from './supervisor.js';
import type { StatusReport } from '../protocol.js';

const report = (state: string, weight: number, reportedAt: string): StatusReport => ({
  configHash: 'h', reportedAt, haproxy: { running: true, oldWorkers: 0, reloads: 0 },
  servers: [{ backend: 'b', name: 'replica1', address: '10.0.0.2:8080', state: state as 'UP', weight, sessions: 3 }],
});

test('a report is new when a server state or weight changes, not when only its time does', () => {
  const first = reportFingerprint(report('UP', 97, 'T1'));
  assert.equal(reportFingerprint(report('UP', 97, 'T2')), first);
  assert.notEqual(reportFingerprint(report('MAINT', 97, 'T2')), first);
  assert.notEqual(reportFingerprint(report('UP', 40, 'T2')), first);
});
