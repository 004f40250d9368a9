import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportFingerprint, WEIGHT_STEP } from './supervisor.js';
import type { StatusReport } from '../../contract/supervisor-protocol.js';

const report = (state: string, weight: number, reportedAt: string): StatusReport => ({
  configHash: 'h', reportedAt, haproxy: { running: true, oldWorkers: 0, reloads: 0 },
  servers: [{ backend: 'b', name: 'replica1', address: '10.0.0.2:8080', state: state as 'UP', weight, sessions: 3 }],
});

test('a report is new when a server state or its weight\'s step changes, not when only its time does or its weight wobbles', () => {
  const first = reportFingerprint(report('UP', 97, 'T1'));
  assert.equal(reportFingerprint(report('UP', 97, 'T2')), first);
  assert.equal(reportFingerprint(report('UP', 99, 'T2')), first, 'a wobble of 2 points is no news');
  assert.equal(reportFingerprint(report('UP', 95, 'T2')), first);
  assert.notEqual(reportFingerprint(report('UP', 94, 'T2')), first, `another step of ${WEIGHT_STEP}`);
  assert.notEqual(reportFingerprint(report('MAINT', 97, 'T2')), first);
  assert.notEqual(reportFingerprint(report('UP', 40, 'T2')), first);
});
