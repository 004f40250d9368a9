import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDockerLock } from './cp-docker-lock.js';

test('withDockerLock runs holders one at a time through flock, and releases on errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-lock-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lock = join(dir, 'lock');
  const spans: Array<[number, number]> = [];
  const hold = (ms: number) => withDockerLock(async () => {
    const start = performance.now();
    await new Promise((r) => setTimeout(r, ms));
    spans.push([start, performance.now()]);
  }, () => {}, 10_000, lock);
  await Promise.all([hold(300), hold(300), hold(300)]);
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1], `holder ${i} started before ${i - 1} ended`);
  await assert.rejects(withDockerLock(async () => { throw new Error('boom'); }, () => {}, 10_000, lock), /boom/);
  await withDockerLock(async () => {}, () => {}, 2_000, lock); // released after the error
});
