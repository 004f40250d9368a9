// GET /compute: a fixed amount of CPU work per request, answered with the replica's hostname (the
// benchmark attributes every response to its replica and needs a request whose cost is CPU, not
// wall time, so that a throttled or busy replica is genuinely slower).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createApp, computeUnits, MAX_COMPUTE_UNITS } from './app.js';
import type { AgentSnapshot } from './agent/agent-messages.js';

test('GET /compute does N units of CPU work and names the replica', async (t) => {
  const app = createApp({
    agent: () => ({}) as AgentSnapshot,
    metrics: { registry: new Registry(), middleware: (_req, _res, next) => next() },
    hostname: 'replica-7',
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (query: string) => (await fetch(`${base}/compute${query}`)).json() as Promise<Record<string, unknown>>;

  assert.deepEqual(await get('?units=3'), { hostname: 'replica-7', units: 3, result: computeUnits(3) });
  assert.notEqual(computeUnits(3), computeUnits(4), 'every unit changes the result');
  assert.equal((await get(''))['units'], 1, 'one unit by default');
  assert.equal((await get('?units=-5'))['units'], 0);
  assert.equal((await get('?units=2.7'))['units'], 2);
  assert.equal((await get('?units=abc'))['units'], 0);
  assert.ok(MAX_COMPUTE_UNITS >= 1000);

  // The work is CPU, not waiting: 2000 units cost this process CPU time (about 40 ms on a 2020s core).
  const before = process.cpuUsage();
  await get('?units=2000');
  const used = process.cpuUsage(before);
  assert.ok(used.user + used.system >= 10_000, `2000 units used ${used.user + used.system} us of CPU`);
});
