// Draws the seed's experiment from Prometheus data: traffic share and CPU per replica over time,
// MAINT periods shaded, as an SVG file (written by hand, nothing to install).
//
//   node --import tsx scripts/chart-experiment.ts --name hello [--prometheus URL] [--since 10m | --start T --end T]
//        [--step 2s] [--window 20s] [--out experiment.svg] [--title TEXT]
//
// T is an ISO time or Unix seconds. The replicas must be scraped with deploy/prometheus's jobs.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '../crd/duration.js';
import { buildExperimentChart, type ExperimentData, type RangeSeries } from './chart/experiment-chart.js';
import { CHART_QUERIES } from './chart/experiment-queries.js';
import { renderSvgChart } from './chart/svg-chart.js';

export interface ChartRequest { prometheus: string; name: string; start: number; end: number; stepSeconds: number; window: string; title?: string }

async function queryRange(base: string, expr: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
  const response = await fetch(`${base}/api/v1/query_range`, { method: 'POST', body: params, signal: AbortSignal.timeout(30_000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: RangeSeries[] } };
  if (body.status !== 'success') throw new Error(`Prometheus: ${body.error ?? response.status} for ${expr}`);
  return body.data?.result ?? [];
}

/** Queries Prometheus and returns the SVG text. */
export async function drawExperiment(request: ChartRequest): Promise<{ svg: string; data: ExperimentData }> {
  const base = request.prometheus.replace(/\/+$/, '');
  const range = (expr: string) => queryRange(base, expr, request.start, request.end, request.stepSeconds);
  const [share, cpu, maint, thresholds] = await Promise.all([
    range(CHART_QUERIES.share(request.name, request.window)),
    range(CHART_QUERIES.cpu(request.name)),
    range(CHART_QUERIES.maint(request.name)),
    range(CHART_QUERIES.thresholds(request.name)),
  ]);
  const data = { share, cpu, maint, thresholds };
  const chart = buildExperimentChart(data, { name: request.name, start: request.start, end: request.end, stepSeconds: request.stepSeconds, title: request.title });
  return { svg: renderSvgChart(chart), data };
}

/** ISO time or Unix seconds. */
export function parseTime(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds)) throw new Error(`not a time: ${text} (ISO 8601 or Unix seconds)`);
  return seconds;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      prometheus: { type: 'string', default: process.env['BSO_PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090' },
      name: { type: 'string' },
      since: { type: 'string', default: '10m' },
      start: { type: 'string' },
      end: { type: 'string' },
      step: { type: 'string', default: '2s' },
      window: { type: 'string', default: '20s' },
      out: { type: 'string', default: 'experiment.svg' },
      title: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.name) {
    process.stderr.write('usage: chart-experiment.ts --name NAME [--prometheus URL] [--since 10m | --start T --end T] [--step 2s] [--window 20s] [--out FILE.svg] [--title TEXT]\n');
    return values.help ? 0 : 2;
  }
  const stepMs = parseDuration(values.step);
  const sinceMs = parseDuration(values.since);
  if (stepMs === undefined || stepMs < 1000 || sinceMs === undefined || parseDuration(values.window) === undefined) {
    process.stderr.write('chart-experiment: --step (>= 1s), --since and --window are durations like 2s, 10m\n');
    return 2;
  }
  const end = values.end ? parseTime(values.end) : Date.now() / 1000;
  const start = values.start ? parseTime(values.start) : end - sinceMs / 1000;
  const { svg, data } = await drawExperiment({ prometheus: values.prometheus, name: values.name, start, end, stepSeconds: stepMs / 1000, window: values.window, title: values.title });
  writeFileSync(values.out, svg);
  process.stdout.write(`chart-experiment: ${values.out}: ${data.share.length} replicas with traffic, ${data.cpu.length} with CPU, ${Math.round(end - start)} s\n`);
  if (data.cpu.length === 0) process.stderr.write(`chart-experiment: no bso_agent_cpu_ratio for ${values.name} in ${values.prometheus}: is it scraping the replicas?\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: Error) => {
    process.stderr.write(`chart-experiment: ${error.message}\n`);
    process.exitCode = 1;
  });
}
