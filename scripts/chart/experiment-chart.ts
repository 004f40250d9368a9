// Prometheus range results of the seed's experiment -> the chart: traffic share per replica on
// top, CPU per replica with the agent's thresholds below, MAINT periods shaded. Pure.
import { PALETTE, type Chart, type ChartSeries } from './svg-chart.js';

export interface RangeSeries { metric: Record<string, string>; values: Array<[number, string]> }

export interface ExperimentData {
  share: RangeSeries[];
  cpu: RangeSeries[];
  maint: RangeSeries[];
  thresholds: RangeSeries[];
}

export interface ExperimentOptions { name: string; start: number; end: number; stepSeconds: number; title?: string }

/** The replica a series belongs to: its instance; shown as "replica N (ip)" when the task slot is known. */
function replicaKey(metric: Record<string, string>): string {
  return metric['instance'] ?? 'unknown';
}

function replicaLabel(metric: Record<string, string>): string {
  const host = (metric['instance'] ?? 'unknown').replace(/:\d+$/, '');
  return metric['task_slot'] ? `replica ${metric['task_slot']} (${host})` : host;
}

const toPoints = (s: RangeSeries): Array<[number, number]> => s.values.map(([t, v]) => [Number(t), Number(v)]);

export function buildExperimentChart(data: ExperimentData, options: ExperimentOptions): Chart {
  const all = [...data.share, ...data.cpu, ...data.maint];
  const byKey = new Map<string, Record<string, string>>();
  for (const s of all) if (!byKey.has(replicaKey(s.metric)) || s.metric['task_slot']) byKey.set(replicaKey(s.metric), s.metric);
  const keys = [...byKey.keys()].sort((a, b) => {
    const slot = (k: string) => Number(byKey.get(k)!['task_slot'] ?? Infinity);
    return slot(a) - slot(b) || a.localeCompare(b, 'en', { numeric: true });
  });
  const color = (key: string) => PALETTE[keys.indexOf(key) % PALETTE.length]!;
  const label = (key: string) => replicaLabel(byKey.get(key)!);
  const seriesOf = (list: RangeSeries[]): ChartSeries[] =>
    list.map((s) => ({ key: replicaKey(s.metric), points: toPoints(s) }))
      .sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key))
      .map(({ key, points }) => ({ label: label(key), color: color(key), points }));

  const threshold = (which: string) => {
    const series = data.thresholds.find((s) => s.metric['threshold'] === which);
    const last = series?.values[series.values.length - 1];
    return last ? Number(last[1]) : undefined;
  };
  const marks: Array<{ value: number; label: string; color: string }> = [];
  const maintAt = threshold('maint');
  const readyAt = threshold('ready');
  if (maintAt !== undefined) marks.push({ value: maintAt, label: `maint at ${Math.round(maintAt * 100)}%`, color: '#d62728' });
  if (readyAt !== undefined) marks.push({ value: readyAt, label: `ready at ${Math.round(readyAt * 100)}%`, color: '#2ca02c' });

  const bands = data.maint.flatMap((s) => maintPeriods(toPoints(s), options.stepSeconds).map(([from, to]) => ({
    from, to, color: color(replicaKey(s.metric)), label: `${label(replicaKey(s.metric))} in MAINT`,
  })));
  const gapSeconds = options.stepSeconds * 3;
  return {
    title: options.title ?? `BalancedService ${options.name}: traffic share and CPU per replica`,
    subtitle: `From Prometheus, step ${options.stepSeconds}s. Shaded: a replica's agent answers MAINT.`,
    start: options.start,
    end: options.end,
    panels: [
      { title: 'Share of requests answered', series: seriesOf(data.share), bands, gapSeconds },
      { title: "CPU used, share of the replica's limit (smoothed)", series: seriesOf(data.cpu), marks, bands, gapSeconds },
    ],
  };
}

/** Runs of value 1 as [from, to] (to = last point + one step). */
export function maintPeriods(points: Array<[number, number]>, stepSeconds: number): Array<[number, number]> {
  const periods: Array<[number, number]> = [];
  let from: number | undefined;
  let last: number | undefined;
  for (const [t, v] of [...points].sort((a, b) => a[0] - b[0])) {
    const gap = last !== undefined && t - last > stepSeconds * 3;
    if (from !== undefined && (v !== 1 || gap)) { periods.push([from, last! + stepSeconds]); from = undefined; }
    if (v === 1 && from === undefined) from = t;
    last = t;
  }
  if (from !== undefined) periods.push([from, last! + stepSeconds]);
  return periods;
}
