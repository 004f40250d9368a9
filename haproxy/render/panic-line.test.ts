import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPanicThresholdLine, readPanicThreshold } from './panic-line.js';

test('the threshold line round-trips for every percent', () => {
  for (let p = 0; p <= 100; p++) assert.equal(readPanicThreshold(`# header\n${formatPanicThresholdLine(p)}\n\nglobal\n`), p);
});

test('no line, a malformed one or a value above 100 reads as 0 (guard off)', () => {
  for (const text of ['global\n', '# bso panic-threshold\n', '# bso panic-threshold 101\n', '# bso panic-threshold -5\n', '    # bso panic-threshold 50\n', '# bso panic-threshold 50 extra\n']) {
    assert.equal(readPanicThreshold(text), 0, text);
  }
});

test('formatPanicThresholdLine refuses what is not a percent', () => {
  for (const bad of [-1, 101, 1.5, Number.NaN]) assert.throws(() => formatPanicThresholdLine(bad), RangeError);
});
