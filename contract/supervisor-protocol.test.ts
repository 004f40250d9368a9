import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentAnswered, etagOf, hashOfEtag, MAX_WAIT_MS, parseWait, statusReportProblem } from './supervisor-protocol.js';

test('ETags and waits', () => {
  assert.equal(hashOfEtag(etagOf('abc')), 'abc');
  assert.equal(hashOfEtag('W/"abc"'), 'abc');
  assert.equal(hashOfEtag('abc'), undefined);
  assert.equal(parseWait('30s'), 30_000);
  assert.equal(parseWait('250ms'), 250);
  assert.equal(parseWait('10'), 10_000);
  assert.equal(parseWait('1h'), 0);
  assert.equal(parseWait('9m'), MAX_WAIT_MS);
  assert.equal(parseWait(null), 0);
});

test('status report shape', () => {
  const ok = { reportedAt: 'now', haproxy: { running: true, oldWorkers: 0, reloads: 0 }, servers: [] };
  assert.equal(statusReportProblem(ok), undefined);
  assert.match(statusReportProblem([]) ?? '', /object/);
  assert.match(statusReportProblem({ ...ok, haproxy: {} }) ?? '', /haproxy/);
  assert.match(statusReportProblem({ ...ok, lastOutcome: 'boom' }) ?? '', /lastOutcome/);
  assert.match(statusReportProblem({ ...ok, servers: [{ name: 'a' }] }) ?? '', /servers\[0\]/);
});

test('agentAnswered reads HAProxy\'s agent_status: CHECKED answered, connection and timeout failures did not, nothing yet is unknown', () => {
  assert.equal(agentAnswered('CHECKED'), true);
  assert.equal(agentAnswered('L7OK'), true);
  for (const failed of ['L4CON', 'L4TOUT', 'SOCKERR', 'L7TOUT', 'L7RSP']) assert.equal(agentAnswered(failed), false, failed);
  for (const unknown of [undefined, '', 'INI', 'UNK']) assert.equal(agentAnswered(unknown), undefined, String(unknown));
});
