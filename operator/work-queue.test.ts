import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.js';

test('a key added many times is processed once, and again if re-added while processing', async () => {
  const queue = new WorkQueue();
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const run = queue.run(async (key) => {
    seen.push(key);
    if (seen.length === 1) { queue.add('a'); queue.add('a'); await gate; }
  });
  queue.add('a'); queue.add('a'); queue.add('b');
  await new Promise((r) => setTimeout(r, 20));
  release();
  await new Promise((r) => setTimeout(r, 20));
  queue.stop();
  await run;
  assert.deepEqual(seen, ['a', 'b', 'a']);
});

test('rate limiting backs off exponentially and forget resets it', () => {
  const queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000 });
  const delays = [1, 2, 3, 4, 5].map(() => queue.addRateLimited('k'));
  queue.stop();
  assert.ok(delays[0]! >= 80 && delays[0]! <= 120);
  assert.ok(delays[2]! >= 320 && delays[2]! <= 480);
  assert.ok(delays[4]! <= 1200);
  assert.equal(queue.failuresOf('k'), 5);
  queue.forget('k');
  assert.equal(queue.failuresOf('k'), 0);
});
