// apply --wait: Ready is not enough, every replica must be UP in HAProxy; a timeout names the
// servers that are not (a FAKE operator answering from a script of statuses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../operator/api-object.js';
import { serversNotUp, waitUntilReady } from './wait-ready.js';

const readyStatus = (servers: Array<{ name: string; state: string; task?: string }>): ApiObject => ({
  apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'hello', generation: 1, creationTimestamp: '' }, spec: {},
  status: {
    observedGeneration: 1, replicas: 3, readyReplicas: servers.filter((s) => s.state === 'UP').length,
    conditions: [{ type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: `3/3 replicas running, ${servers.filter((s) => s.state === 'UP').length} UP in HAProxy`, lastTransitionTime: '', observedGeneration: 1 }],
    servers: servers.map((s) => ({ address: '10.0.0.1', weight: 100, ...s })),
  },
});

test('serversNotUp names the servers that are not UP, with their task', () => {
  assert.equal(serversNotUp([{ name: 'replica1', address: 'a', state: 'UP', weight: 1 }], 1), '');
  assert.equal(serversNotUp([{ name: 'replica1', address: 'a', state: 'UP', weight: 1 }, { name: 'replica2', address: 'b', state: 'DOWN', weight: 0, task: 'hello-api.2' }], 3), '1/3 UP; not UP: replica2 (hello-api.2) DOWN');
  assert.equal(serversNotUp([], 2), '0/2 UP; HAProxy has not reported the others yet');
});

test('--wait goes on while Ready has fewer UP servers than replicas, and returns once all are UP', async () => {
  const answers = [
    readyStatus([{ name: 'replica1', state: 'UP' }, { name: 'replica2', state: 'UP' }, { name: 'replica3', state: 'DOWN', task: 'hello-api.3' }]),
    readyStatus([{ name: 'replica1', state: 'UP' }, { name: 'replica2', state: 'UP' }, { name: 'replica3', state: 'UP' }]),
  ];
  const printed: string[] = [];
  const ok = await waitUntilReady([{ name: 'hello', generation: 1 }], { timeoutMs: 5000, pollMs: 1, print: (l) => printed.push(l), fetch: async () => ({ ok: true, object: answers.shift() ?? answers[0]! }) });
  assert.equal(ok, true);
  assert.match(printed[0]!, /^hello: waiting for every replica to be UP in HAProxy: 2\/3 UP; not UP: replica3 \(hello-api\.3\) DOWN/);
  assert.match(printed[1]!, /^hello: Ready: 3\/3 replicas running, 3 UP in HAProxy/);
});

test('a timeout says which servers are not UP', async () => {
  const stuck = readyStatus([{ name: 'replica1', state: 'UP' }, { name: 'replica2', state: 'MAINT', task: 'hello-api.1' }]);
  const printed: string[] = [];
  const ok = await waitUntilReady([{ name: 'hello', generation: 1 }], { timeoutMs: 20, pollMs: 5, print: (l) => printed.push(l), fetch: async () => ({ ok: true, object: stuck }) });
  assert.equal(ok, false);
  assert.match(printed.at(-1)!, /^timed out after \d+s; not Ready: hello \(1\/3 UP; not UP: replica2 \(hello-api\.1\) MAINT\) \(see bso describe NAME\)$/);
});
