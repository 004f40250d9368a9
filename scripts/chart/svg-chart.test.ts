import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildExperimentChart, maintPeriods, type RangeSeries } from './experiment-chart.js';
import { escapeXml, PALETTE, renderSvgChart, tickStep, type Chart } from './svg-chart.js';

/** Every element opened is closed, in order (enough to catch a broken writer). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes something else`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
}

const range = (metric: Record<string, string>, values: Array<[number, number]>): RangeSeries => ({ metric, values: values.map(([t, v]) => [t, String(v)]) });

test('tickStep picks 1, 2, 5 x 10^n', () => {
  assert.deepEqual([tickStep(60), tickStep(100), tickStep(7), tickStep(0)], [10, 20, 1, 1]);
});

test('maintPeriods: runs of 1, closed one step after the last point, broken by gaps', () => {
  const points: Array<[number, number]> = [[0, 0], [2, 1], [4, 1], [6, 0], [8, 1], [30, 1], [32, 1]];
  assert.deepEqual(maintPeriods(points, 2), [[2, 6], [8, 10], [30, 34]]);
  assert.deepEqual(maintPeriods([], 2), []);
});

test('buildExperimentChart: one color per replica in both panels, slots as labels, thresholds as marks, MAINT as bands', () => {
  const r1 = { instance: '10.0.1.5:8080', task_slot: '1' };
  const r2 = { instance: '10.0.1.6:8080', task_slot: '2' };
  const chart = buildExperimentChart({
    share: [range(r2, [[100, 0.5], [102, 1]]), range(r1, [[100, 0.5], [102, 0]])],
    cpu: [range({ ...r1, job: 'bso-api' }, [[100, 0.3], [102, 0.95]]), range({ ...r2, job: 'bso-api' }, [[100, 0.3], [102, 0.2]])],
    maint: [range(r1, [[100, 0], [102, 1], [104, 1]]), range(r2, [[100, 0], [102, 0]])],
    thresholds: [range({ threshold: 'maint' }, [[100, 0.8]]), range({ threshold: 'ready' }, [[100, 0.6]])],
  }, { name: 'hello', start: 100, end: 110, stepSeconds: 2 });
  const [share, cpu] = chart.panels;
  assert.deepEqual(share!.series.map((s) => [s.label, s.color]), [['replica 1 (10.0.1.5)', PALETTE[0]], ['replica 2 (10.0.1.6)', PALETTE[1]]]);
  assert.deepEqual(cpu!.series.map((s) => [s.label, s.color]), [['replica 1 (10.0.1.5)', PALETTE[0]], ['replica 2 (10.0.1.6)', PALETTE[1]]]);
  assert.deepEqual(share!.series[1]!.points, [[100, 0.5], [102, 1]]);
  assert.deepEqual(cpu!.marks!.map((m) => m.label), ['maint at 80%', 'ready at 60%']);
  assert.deepEqual(cpu!.bands, [{ from: 102, to: 106, color: PALETTE[0], label: 'replica 1 (10.0.1.5) in MAINT' }]);
  assert.equal(chart.title, 'BalancedService hello: traffic share and CPU per replica');
});

test('renderSvgChart: well-formed SVG, escaped text, lines inside the plot, a new segment after a gap', () => {
  const chart: Chart = {
    title: 'share <&> "quotes"',
    start: 0,
    end: 100,
    panels: [{
      title: 'panel',
      gapSeconds: 10,
      series: [
        { label: 'a<b', color: '#111111', points: [[0, 0], [5, 0.5], [10, 1], [50, 2], [55, -1]] },
        { label: 'empty', color: '#222222', points: [] },
      ],
      marks: [{ value: 0.8, label: 'maint', color: '#d62728' }],
      bands: [{ from: 20, to: 40, color: '#d62728', label: 'x' }, { from: 200, to: 300, color: '#000000' }],
    }],
  };
  const svg = renderSvgChart(chart);
  assertWellFormed(svg);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.includes(escapeXml('share <&> "quotes"')));
  assert.ok(!svg.includes('a<b'));
  const paths = [...svg.matchAll(/<path class="series" d="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(paths.length, 1, 'a series without points draws nothing');
  const commands = [...paths[0]!.matchAll(/([ML])([0-9.]+) ([0-9.]+)/g)].map((m) => [m[1], Number(m[2]), Number(m[3])] as const);
  assert.deepEqual(commands.map((c) => c[0]), ['M', 'L', 'L', 'M', 'L']);
  // Plot: x 60..760, y 72..312 for the first panel; values clamped to 0..1.
  for (const [, px, py] of commands) assert.ok(px >= 60 && px <= 760 && py >= 72 && py <= 312, `${px},${py}`);
  assert.equal(commands[2]![2], 72, '100 % at the top');
  assert.equal(commands[4]![2], 312, 'below 0 clamped to the bottom');
  assert.equal((svg.match(/class="band"/g) ?? []).length, 1, 'a band outside the time range is left out');
  assert.match(svg, /class="mark"[^>]*y1="120"/);
});
