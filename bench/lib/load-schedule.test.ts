import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueCount, slidingShareSeries, firstTimeBelow, intendedSendMs, shareSeries, summarizeRecords, totalRequests, type RequestRecord } from './load-schedule.js';

test('the schedule is fixed by the rate, not by answers', () => {
  assert.equal(intendedSendMs(0, 200), 0);
  assert.equal(intendedSendMs(1, 200), 5);
  assert.equal(intendedSendMs(200, 200), 1000);
  assert.equal(totalRequests(200, 1500), 300);
  assert.equal(dueCount(-1, 200, 300), 0);
  assert.equal(dueCount(0, 200, 300), 1);
  assert.equal(dueCount(4.99, 200, 300), 1);
  assert.equal(dueCount(5, 200, 300), 2);
  // a generator that woke up late sends everything that was due at once
  assert.equal(dueCount(100, 200, 300), 21);
  assert.equal(dueCount(1e9, 200, 300), 300);
  // the n-th due request is the one whose intended time has passed
  for (let ms = 0; ms < 50; ms += 0.7) assert.ok(intendedSendMs(dueCount(ms, 333, 1e6) - 1, 333) <= ms + 1e-9);
});

const rec = (intendedMs: number, latencyMs: number, status: number, host: string): RequestRecord => ({ intendedMs, latencyMs, status, host });

test('percentiles count failures, goodput and shares count answers', () => {
  const records = [
    ...Array.from({ length: 98 }, (_, i) => rec(i, 10, 200, i % 2 ? 'a' : 'b')),
    rec(98, 500, 503, ''),
    rec(99, 2000, 0, ''),
  ];
  const s = summarizeRecords(records, 1000);
  assert.equal(s.count, 100);
  assert.equal(s.errors, 2);
  assert.equal(s.errorPercent, 2);
  assert.equal(s.goodput, 98);
  assert.equal(s.p50, 10);
  assert.equal(s.p99, 500);
  assert.equal(s.p999, 2000);
  assert.deepEqual(s.shares, { a: 49, b: 49 });
});

test('share series and the time it first stays below a level', () => {
  const records: RequestRecord[] = [];
  for (let t = 0; t < 4000; t += 10) records.push(rec(t, 1, 200, t < 1500 ? (t % 40 === 0 ? 'hot' : 'x') : (t >= 2000 && t < 2100 ? 'hot' : 'x')));
  const series = shareSeries(records, 'hot', 250);
  assert.deepEqual(series.slice(0, 2), [[0, 28], [250, 24]]);
  assert.equal(series.find(([t]) => t === 1500)![1], 0);
  // below 5 % from 1500, but back up at 2000: holding for 1 s starts only at 2250
  assert.equal(firstTimeBelow(series, 5, 1000, 4000, 1000), 2250);
  assert.equal(firstTimeBelow(series, 5, 1000, 4000, 250), 1500);
  assert.ok(Number.isNaN(firstTimeBelow(series, 5, 0, 1500, 250)));
});

test('throughput counts answers by completion time', async () => {
  const { completedRate } = await import('./load-schedule.js');
  const records = [rec(0, 500, 200, 'a'), rec(100, 1500, 200, 'a'), rec(200, 100, 503, ''), rec(900, 50, 200, 'b')];
  // completed at 500 and 950 inside [0, 1000); the one done at 1600 is outside; the 503 does not count
  assert.equal(completedRate(records, 0, 1000), 2);
  assert.equal(completedRate(records, 1000, 2000), 1);
  assert.equal(completedRate(records, 5, 5), 0);
});

test('slidingShareSeries: the share over each window of windowMs, every stepMs', () => {
  const rec = (intendedMs: number, host: string) => ({ intendedMs, latencyMs: 1, status: 200, host });
  const records = [rec(0, 'a'), rec(100, 'b'), rec(600, 'a'), rec(900, 'b'), rec(1100, 'b'), rec(1600, 'b')];
  assert.deepEqual(slidingShareSeries(records, 'a', 1000, 500), [[0, 50], [500, 100 / 3], [1000, 0], [1500, 0]]);
  assert.deepEqual(slidingShareSeries([], 'a', 1000, 500), []);
});
