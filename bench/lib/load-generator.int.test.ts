// The open-loop generator against a real HTTP server on loopback: it keeps its schedule while the
// server stalls, and the stall shows up as latency of every request meant to go out meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runOpenLoop } from './load-generator.js';

test('fixed rate, attribution by hostname, latency from the intended send time', async (t) => {
  let count = 0;
  const server = createServer((req, res) => {
    const n = count++;
    const answer = () => res.end(JSON.stringify({ hostname: n % 2 ? 'odd' : 'even' }));
    if (req.url === '/fail') res.writeHead(503).end('no');
    else if (n === 10) setTimeout(answer, 300); // one slow answer
    else answer();
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;

  const result = await runOpenLoop({ host: '127.0.0.1', port, path: '/', ratePerSecond: 200, durationMs: 500 });
  assert.equal(result.records.length, 100);
  assert.equal(result.records[1]!.intendedMs, 5);
  assert.ok(result.records.every((r) => r.status === 200));
  const hosts = new Set(result.records.map((r) => r.host));
  assert.deepEqual([...hosts].sort(), ['even', 'odd']);
  // the stalled answer took at least its 300 ms (generous: no upper bound is asserted)
  assert.ok(Math.max(...result.records.map((r) => r.latencyMs)) >= 300);

  const failed = await runOpenLoop({ host: '127.0.0.1', port, path: '/fail', ratePerSecond: 100, durationMs: 100 });
  assert.ok(failed.records.every((r) => r.status === 503 && r.host === ''));
  const refused = await runOpenLoop({ host: '127.0.0.1', port: 1, path: '/', ratePerSecond: 100, durationMs: 50 });
  assert.ok(refused.records.every((r) => r.status === 0));
});
