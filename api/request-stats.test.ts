// The request counters shared with the agent: counted once per request (finish or close), by
// service time bucket; operational routes left out; windows are differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { countRequests, createRequestStatsBuffer, readRequestWindows } from './request-stats.js';
import { quantileUs } from './policy/service-time.js';

function fakeExchange(path: string): { req: Request; res: Response & EventEmitter } {
  return { req: { path } as Request, res: new EventEmitter() as Response & EventEmitter };
}

test('requests in flight and completed ones, their times, once each; /healthz and /metrics are not traffic', async () => {
  const buffer = createRequestStatsBuffer();
  const count = countRequests(buffer);
  const read = readRequestWindows(buffer);
  const next: NextFunction = () => undefined;
  const a = fakeExchange('/compute');
  const b = fakeExchange('/');
  const health = fakeExchange('/healthz');
  count(a.req, a.res, next);
  count(b.req, b.res, next);
  count(health.req, health.res, next);
  assert.deepEqual([read().inFlight, read().completed], [2, 0]);
  await new Promise((r) => setTimeout(r, 20));
  a.res.emit('finish');
  a.res.emit('close'); // both fire for one request: counted once
  b.res.emit('close'); // a client that went away
  health.res.emit('finish');
  const window = read();
  assert.equal(window.inFlight, 0);
  assert.equal(window.completed, 2);
  assert.ok(window.totalUs >= 2 * 19_000, `total ${window.totalUs} us`);
  assert.ok(quantileUs(window.buckets, 0.5)! >= 19_000, 'the median is about 20 ms');
  assert.deepEqual([read().completed, read().totalUs], [0, 0], 'the next window starts empty');
});
