import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCell, renderReportMarkdown, replaceBetweenMarkers } from './markdown.js';
import type { ScenarioReport } from './types.js';

const report: ScenarioReport = {
  id: 2,
  title: 'Hot | slow replica',
  samples: [
    { peer: 'roundrobin', metric: 'p99 latency', unit: 'ms', values: [50, 40, 60], better: 'lower', goal: '<= 1.2x healthy-only' },
    { peer: 'bso', metric: 'p99 latency', unit: 'ms', values: [12, 10, 11], better: 'lower' },
    { peer: 'roundrobin', metric: 'detect', unit: 's', values: [Number.NaN, Number.NaN, Number.NaN] },
    { peer: 'bso', metric: 'detect', unit: 's', values: [1.2, Number.NaN, 1.4] },
  ],
  plots: [{ file: 's2-p99.svg', title: 'p99' }],
  notes: ['rate 100 req/s'],
};

test('one row per metric, one column per peer, the best median in bold', () => {
  const text = renderReportMarkdown(report, 'plots/');
  const lines = text.split('\n');
  assert.equal(lines[0], '### 2. Hot | slow replica');
  assert.equal(lines[2], '| Metric | Goal | roundrobin | bso |');
  assert.equal(lines[4], '| p99 latency (ms) | <= 1.2x healthy-only | 50 (40..60) | **11 (10..12)** |');
  assert.equal(lines[5], '| detect (s) |  | never | 1.3 (1.2..1.4), never x1 |');
  assert.ok(text.includes('- rate 100 req/s'));
  assert.ok(text.includes('![p99](plots/s2-p99.svg)'));
});

test('a single run has no spread', () => {
  assert.equal(formatCell({ peer: 'bso', metric: 'm', unit: 'ms', values: [3.14159] }), '3.14');
});

test('the text between the markers is replaced, the markers kept', () => {
  const doc = 'head\n<!-- a -->\nold\n<!-- b -->\ntail\n';
  assert.equal(replaceBetweenMarkers(doc, '<!-- a -->', '<!-- b -->', 'new'), 'head\n<!-- a -->\nnew\n<!-- b -->\ntail\n');
  assert.throws(() => replaceBetweenMarkers('none', '<!-- a -->', '<!-- b -->', 'x'), /not found/);
});
