import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchArgs, scenarioFiles, utcStamp } from './bench-args.js';
import { peersForRun } from './shared-testbed.js';

test('options of npm run bench', () => {
  assert.deepEqual(parseBenchArgs([]), { quick: false, only: undefined, runs: 3, help: false });
  assert.deepEqual(parseBenchArgs(['--quick']), { quick: true, only: undefined, runs: 1, help: false });
  assert.deepEqual(parseBenchArgs(['--only', '1,3', '--runs=5']), { quick: false, only: [1, 3], runs: 5, help: false });
  assert.equal(parseBenchArgs(['--help']).help, true);
  assert.throws(() => parseBenchArgs(['--only', 'x']), /scenario numbers/);
  assert.throws(() => parseBenchArgs(['--runs', '0']), /whole number/);
  assert.throws(() => parseBenchArgs(['--runs']), /needs a value/);
  assert.throws(() => parseBenchArgs(['--fast']), /unknown option --fast/);
});

test('scenario files by number; stamps; peers rotate per run', () => {
  assert.deepEqual(scenarioFiles(['s10-x.ts', 's2-hot.ts', 'README.md', 's1-a.test.ts', 's1-throughput.ts']), [[1, 's1-throughput.ts'], [2, 's2-hot.ts'], [10, 's10-x.ts']]);
  assert.equal(utcStamp(new Date('2026-11-27T08:40:05.123Z')), '2026-11-27T08-40-05Z');
  assert.deepEqual(peersForRun(0, ['a', 'b', 'c'] as never), ['a', 'b', 'c']);
  assert.deepEqual(peersForRun(1, ['a', 'b', 'c'] as never), ['b', 'c', 'a']);
  assert.deepEqual(peersForRun(3, ['a', 'b', 'c'] as never), ['a', 'b', 'c']);
});
