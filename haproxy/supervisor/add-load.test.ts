import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { addLoad } from './status-reporter.js';
import type { ServerReport } from './show-stat.js';

test('a replica\'s own load (GET /) is added in percent; a silent or odd replica adds nothing', async () => {
  let body = JSON.stringify({ hostname: 'h', load: { cpu: 0.613, memory: 0.0874 } });
  const server = createServer((_req, res) => res.end(body)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  const report = (): ServerReport => ({ backend: 'b', name: 'replica1', address: `127.0.0.1:${port}`, state: 'UP', weight: 50, sessions: 0 });
  const a = report();
  await addLoad(a);
  assert.equal(a.cpu, 61.3);
  assert.equal(a.memory, 8.7);
  body = 'not json';
  const b = report();
  await addLoad(b);
  assert.equal(b.cpu, undefined);
  server.close();
  const c = report();
  await addLoad(c, 200);
  assert.equal(c.cpu, undefined);
});
