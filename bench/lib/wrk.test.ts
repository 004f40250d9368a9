import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkOutput } from './wrk.js';

test("wrk's summary: requests, errors, goodput", () => {
  const text = `Running 3s test @ http://10.0.0.2:8080/compute?units=100
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    36.51ms   40.12ms 201.22ms   81.25%
    Req/Sec   110.33     20.11   150.00     66.67%
  331 requests in 3.01s, 75.33KB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 30
Requests/sec:    109.97
Transfer/sec:     25.03KB
`;
  const r = parseWrkOutput(text);
  assert.equal(r.requests, 331);
  assert.equal(r.errors, 33);
  assert.equal(r.seconds, 3.01);
  assert.equal(Math.round(r.goodput), 100);
  assert.equal(parseWrkOutput('  10 requests in 500.00ms, 1KB read\n').seconds, 0.5);
  assert.throws(() => parseWrkOutput('nothing'), /without a request count/);
});
