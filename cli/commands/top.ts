// bso top [NAME]: a live view of each replica's HAProxy state and weight, CPU and share of
// traffic, refreshed every second (like kubectl top meets hatop). On a terminal it redraws in
// place until Ctrl-C; piped, or with --once, it prints one snapshot. NO_COLOR or --no-color turn
// colors off. Sources: see top-sources.ts.
import type { Command } from 'commander';
import { parseDuration } from '../../crd/duration.js';
import { fetchAll, fetchStatus, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { renderTopFrame, type TopSnapshot } from './top-frame.js';
import {
  buildTopSnapshot, CounterWindow, fetchText, operatorCounters, parseHAProxyResponses, PROMETHEUS_QUERIES, queryByHost, type TopInputs,
} from './top-sources.js';

export { PROMETHEUS_QUERIES } from './top-sources.js';

interface TopOptions { operator?: string; prometheus?: string; haproxyMetrics?: string; interval: string; once?: boolean; frames?: string; color: boolean }

/** A CliContext may say whether its output is a terminal (tests do); otherwise the process's stdout decides. */
type TopContext = CliContext & { isTTY?: boolean; columns?: number; env?: Record<string, string | undefined> };

const CLEAR = '\x1b[H\x1b[2J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export function registerTop(program: Command, ctx: CliContext): void {
  program.command('top [name]')
    .description("Live view of a BalancedService's replicas (every BalancedService's without a name): HAProxy state and weight, CPU, share of traffic.")
    .option('--operator <url>', 'operator API for status (default $BSO_OPERATOR_URL or http://127.0.0.1:9464)')
    .option('--prometheus <url>', 'Prometheus that scrapes the replicas, for CPU and memory (default $BSO_PROMETHEUS_URL)')
    .option('--haproxy-metrics <url>', "HAProxy's exporter for traffic share (default: the operator's host, port spec.haproxy.statsPort, /metrics)")
    .option('--interval <duration>', 'refresh interval, e.g. 1s, 500ms', '1s')
    .option('--once', 'print one snapshot and exit (the default when the output is not a terminal)')
    .option('--frames <n>', 'live view: stop after N frames')
    .option('--no-color', 'no colors (also when NO_COLOR is set)')
    .addHelpText('after', `
STATE and WEIGHT are HAProxy's; CPU is each replica's own (smoothed) use of its container's
limit, against the thresholds of spec.agent; SHARE is each replica's share of the requests of
the last seconds. Without --prometheus the CPU column is empty.

Without a name, every BalancedService the operator knows, one table each.

Examples:
  bso top
  bso top hello --prometheus http://127.0.0.1:9090`)
    .action(async (name: string | undefined, options: TopOptions) => {
      const c = ctx as TopContext;
      const env = c.env ?? process.env;
      const intervalMs = parseDuration(options.interval);
      if (intervalMs === undefined || intervalMs < 100) {
        ctx.stderr(`bso top: --interval ${options.interval}: expected a duration of at least 100ms, e.g. 1s`);
        ctx.exitCode = 2;
        return;
      }
      const mode = outputMode({ tty: c.isTTY ?? process.stdout.isTTY === true, once: options.once === true, colorFlag: options.color, env });
      const width = c.columns ?? (mode.live ? process.stdout.columns ?? 120 : 120);
      const frames = options.frames === undefined ? Infinity : Number(options.frames);
      if (!(frames >= 1)) {
        ctx.stderr(`bso top: --frames ${options.frames}: expected a number of frames >= 1`);
        ctx.exitCode = 2;
        return;
      }
      const url = operatorUrl(options.operator);
      let names = name === undefined ? undefined : [name];
      if (names === undefined) {
        const all = await fetchAll(url);
        if (!all) {
          ctx.stderr(`bso top: the operator is not reachable at ${url} (is \`bso operator\` running? set --operator or BSO_OPERATOR_URL)`);
          ctx.exitCode = 1;
          return;
        }
        names = all.map((o) => o.metadata.name).sort();
        if (names.length === 0) { ctx.stderr('No BalancedServices found.'); return; }
      }
      const collectors = names.map((n) => new TopCollector(n, url, options.prometheus ?? env['BSO_PROMETHEUS_URL'], options.haproxyMetrics));

      if (!mode.live) {
        let snapshots = await Promise.all(collectors.map((c) => c.collect()));
        if (snapshots.some((s) => s.ok && s.needsSecondSample)) {
          await sleep(intervalMs);
          snapshots = await Promise.all(collectors.map((c) => c.collect()));
        }
        const failed = snapshots.flatMap((s) => (s.ok ? [] : [s.reason]));
        if (failed.length > 0 && name !== undefined) {
          ctx.stderr(`bso top: ${failed[0]}`);
          ctx.exitCode = 1;
          return;
        }
        ctx.stdout(snapshots.map((s, i) => (s.ok ? renderTopFrame(s.value, { color: mode.color, width }) : [`bso top ${names[i]}`, '', `unknown: ${s.reason}`]).join('\n')).join('\n\n'));
        return;
      }

      let stopped = false;
      let wake: (() => void) | undefined;
      const stop = () => { stopped = true; wake?.(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        for (let frame = 0; frame < frames && !stopped; frame++) {
          const started = Date.now();
          const snapshots = await Promise.all(collectors.map((c) => c.collect()));
          const lines = snapshots.flatMap((snapshot, i) => [
            ...(i > 0 ? [''] : []),
            ...(snapshot.ok ? renderTopFrame(snapshot.value, { color: mode.color, width, intervalMs }) : [`bso top ${names[i]}`, '', `waiting: ${snapshot.reason}`]),
          ]);
          ctx.stdout((frame === 0 ? HIDE_CURSOR : '') + CLEAR + lines.join('\n'));
          if (frame + 1 >= frames) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started)));
          });
        }
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        ctx.stdout(SHOW_CURSOR);
      }
    });
}

/**
 * Live (redrawn in place) only on a terminal without --once; colors only then, unless
 * --no-color or NO_COLOR (any non-empty value, https://no-color.org).
 */
export function outputMode(input: { tty: boolean; once: boolean; colorFlag: boolean; env: Record<string, string | undefined> }): { live: boolean; color: boolean } {
  const live = input.tty && !input.once;
  return { live, color: input.tty && input.colorFlag && !input.env['NO_COLOR'] };
}

type Collected = { ok: true; value: TopSnapshot; needsSecondSample: boolean } | { ok: false; reason: string };

/** Reads every source once per frame and keeps the counter history that rates need. */
export class TopCollector {
  private readonly haproxy = new CounterWindow();
  private readonly operator = new CounterWindow();

  constructor(
    private readonly name: string,
    private readonly operatorUrl: string,
    private readonly prometheusUrl: string | undefined,
    private readonly haproxyMetricsUrl: string | undefined,
  ) {}

  async collect(now = () => Date.now()): Promise<Collected> {
    const answer = await fetchStatus(this.operatorUrl, this.name);
    if (!answer.ok) return { ok: false, reason: answer.reason };
    const object = answer.object;
    const problems: string[] = [];
    const inputs: TopInputs = { object, time: new Date(now()), problems };
    let needsSecondSample = false;

    const fromOperator = operatorCounters(object);
    if (fromOperator) {
      this.operator.add({ timeMs: now(), counts: fromOperator });
      const rates = this.operator.rates();
      if (rates) inputs.operatorRates = rates;
      else needsSecondSample = true;
    } else {
      const url = this.haproxyMetricsUrl ?? defaultHAProxyMetricsUrl(this.operatorUrl, object.spec);
      try {
        const counts = parseHAProxyResponses(await fetchText(url), `${this.name}-api`);
        this.haproxy.add({ timeMs: now(), counts });
        const rates = this.haproxy.rates();
        if (rates) inputs.haproxyRates = rates;
        else needsSecondSample = true;
      } catch (error) {
        problems.push(`HAProxy exporter ${url}: ${(error as Error).message}`);
      }
    }

    if (this.prometheusUrl) {
      const base = this.prometheusUrl.replace(/\/+$/, '');
      try {
        const [cpu, memory, requestRate] = await Promise.all([
          queryByHost(base, PROMETHEUS_QUERIES.cpu(this.name)),
          queryByHost(base, PROMETHEUS_QUERIES.memory(this.name)),
          queryByHost(base, PROMETHEUS_QUERIES.requestRate(this.name)),
        ]);
        inputs.prometheus = { cpu, memory, requestRate };
        if (cpu.size === 0) problems.push(`Prometheus ${base} has no bso_agent_cpu_ratio for ${this.name} (is it scraping the replicas? deploy/prometheus)`);
      } catch (error) {
        problems.push(`Prometheus ${base}: ${(error as Error).message}`);
      }
    }
    return { ok: true, value: buildTopSnapshot(inputs), needsSecondSample };
  }
}

/** The stats port is published on the Swarm's nodes: try it on the host the operator answers on. */
export function defaultHAProxyMetricsUrl(operatorBaseUrl: string, spec: unknown): string {
  const statsPort = (spec as { haproxy?: { statsPort?: number } }).haproxy?.statsPort ?? 8404;
  const url = new URL(operatorBaseUrl);
  return `${url.protocol}//${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${statsPort}/metrics`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
