import { test } from 'node:test';
import assert from 'node:assert/strict';
import { esc, niceCeiling, renderBarChart, renderLineChart } from './svg.js';

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

test('a bar per peer and group, whiskers where runs differ, n/a where none had a value', () => {
  const svg = renderBarChart({
    title: 'p99 <ms>', unit: 'ms',
    groups: [
      { label: '40 %', bars: [{ label: 'bso', median: 10, min: 8, max: 12 }, { label: 'rr', median: 50, min: 50, max: 50 }] },
      { label: '80 %', bars: [{ label: 'bso', median: 20, min: 19, max: 25 }, { label: 'rr', median: Number.NaN, min: Number.NaN, max: Number.NaN }] },
    ],
  });
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.ok(svg.includes('p99 &lt;ms&gt;'), 'the title is escaped');
  assert.equal(count(svg, /<rect x=[^>]*><title>/g), 3, 'three finite bars');
  assert.equal(count(svg, /stroke="#333" fill="none"/g), 2, 'two whiskers (one bar had no spread)');
  assert.equal(count(svg, />n\/a</g), 1);
  // the tallest bar (50 of a 50 axis) reaches the top of the plot area (y = 40)
  assert.match(svg, /<rect x="[\d.]+" y="40" [^>]*><title>40 % rr: 50<\/title>/);
});

test('a line per series within the plot area, markers as dashed lines', () => {
  const svg = renderLineChart({
    title: 'share', xLabel: 's', yLabel: '%', yMax: 100,
    series: [{ label: 'hot', points: [[0, 25], [1, 0], [2, Number.NaN], [3, 100]] }, { label: 'other', points: [[0, 75], [3, 0]] }],
    markers: [{ x: 1, label: 'stress' }],
  });
  assert.equal(count(svg, /stroke-width="1.6"/g), 2);
  assert.equal(count(svg, /stroke-dasharray/g), 1);
  const ys = [...svg.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
  assert.ok(ys.every((y) => y >= 40 && y <= 288), `every point inside the plot: ${ys.join(',')}`);
});

test('nice axis ceilings and escaping', () => {
  assert.deepEqual([0.7, 1, 3, 9, 11, 260, 0].map(niceCeiling), [1, 1, 5, 10, 20, 500, 1]);
  assert.equal(esc('a<b & "c"'), 'a&lt;b &amp; &quot;c&quot;');
});
