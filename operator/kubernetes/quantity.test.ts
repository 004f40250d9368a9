import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesOf, cpuQuantity, nanoCpusOf, parseQuantity } from './quantity.js';

test('parseQuantity reads every form an API server writes back', () => {
  const table: Array<[string, number | undefined]> = [
    ['500m', 0.5], ['1', 1], ['1.5', 1.5], ['2500m', 2.5], ['100n', 100e-9], ['250u', 250e-6],
    ['256Mi', 268_435_456], ['1Gi', 2 ** 30], ['512M', 512e6], ['1e3', 1000], ['1E-3', 0.001], ['128974848', 128_974_848], ['.5', 0.5],
    ['', undefined], ['1Gb', undefined], ['Mi', undefined], ['1 Mi', undefined], ['0x10', undefined],
  ];
  for (const [text, value] of table) {
    const got = parseQuantity(text);
    if (value === undefined) assert.equal(got, undefined, text);
    else assert.ok(got !== undefined && Math.abs(got - value) <= value * 1e-12, `${text}: ${got}`);
  }
});

test('CPU in millicores when exact, nanocores otherwise; both read back to the same nano-CPUs', () => {
  for (const nano of [1_000_000, 500_000_000, 1_000_000_000, 1_250_000_000, 1_500, 3_000_000_001]) {
    assert.equal(nanoCpusOf(cpuQuantity(nano)), nano, String(nano));
  }
  assert.equal(cpuQuantity(500_000_000), '500m');
  assert.equal(nanoCpusOf('1'), 1e9);
  assert.equal(nanoCpusOf(undefined), undefined);
  assert.equal(bytesOf('256Mi'), 268_435_456);
  assert.equal(bytesOf('0'), undefined, 'zero means no limit');
});
