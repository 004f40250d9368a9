// Pure parts of the open-loop load generator: when each request is meant to go out, and what the
// answers add up to. Latency counts from the INTENDED send time, so a generator or a server that
// falls behind shows up as latency instead of silently sending less (no coordinated omission).
import { percentileOfSorted, sortNumbers } from './stats.js';

/** One request as the generator saw it. */
export interface RequestRecord {
  /** Intended send time, ms after the run started. */
  intendedMs: number;
  /** Completion minus intended send time, ms. */
  latencyMs: number;
  /** HTTP status, 0 when the request failed without one (connection error, timeout). */
  status: number;
  /** The replica that answered (bso-api's JSON carries its hostname), '' when unknown. */
  host: string;
}

/** Intended send time (ms after the start) of request i at a fixed rate. */
export function intendedSendMs(index: number, ratePerSecond: number): number {
  return (index * 1000) / ratePerSecond;
}

/** How many requests should have been sent by elapsedMs (request 0 goes at 0). */
export function dueCount(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000 + 1e-9) + 1);
}

export function totalRequests(ratePerSecond: number, durationMs: number): number {
  return Math.max(0, Math.round((ratePerSecond * durationMs) / 1000));
}

export const isSuccess = (r: RequestRecord) => r.status >= 200 && r.status < 400;

export interface LoadSummary {
  count: number;
  errors: number;
  /** Percent of requests that failed. */
  errorPercent: number;
  /** Successful answers per second of the window. */
  goodput: number;
  p50: number; p99: number; p999: number; max: number;
  /** Percent of all requests answered by each host. */
  shares: Record<string, number>;
}

/** Latency percentiles over every request (failed ones too: a refusal has a latency). */
export function summarizeRecords(records: readonly RequestRecord[], windowMs: number): LoadSummary {
  const latencies = sortNumbers(records.map((r) => r.latencyMs));
  const ok = records.filter(isSuccess);
  const shares: Record<string, number> = {};
  for (const r of ok) if (r.host) shares[r.host] = (shares[r.host] ?? 0) + 1;
  for (const host of Object.keys(shares)) shares[host] = (100 * shares[host]!) / Math.max(1, records.length);
  const errors = records.length - ok.length;
  return {
    count: records.length,
    errors,
    errorPercent: records.length === 0 ? 0 : (100 * errors) / records.length,
    goodput: windowMs > 0 ? (ok.length * 1000) / windowMs : 0,
    p50: percentileOfSorted(latencies, 0.5),
    p99: percentileOfSorted(latencies, 0.99),
    p999: percentileOfSorted(latencies, 0.999),
    max: latencies.length ? latencies[latencies.length - 1]! : Number.NaN,
    shares,
  };
}

/** Share (percent) of `host` among the answered requests sent in each bucket of intended time. */
export function shareSeries(records: readonly RequestRecord[], host: string, bucketMs: number): Array<[number, number]> {
  const buckets = new Map<number, { all: number; mine: number }>();
  for (const r of records) {
    if (!r.host) continue;
    const key = Math.floor(r.intendedMs / bucketMs);
    const bucket = buckets.get(key) ?? { all: 0, mine: 0 };
    bucket.all++;
    if (r.host === host) bucket.mine++;
    buckets.set(key, bucket);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([key, b]) => [key * bucketMs, (100 * b.mine) / b.all]);
}

/**
 * The host's share (percent) of the requests meant to be sent in [t, t + windowMs), for t every
 * stepMs: one request more or less moves a 1 s window at 80 req/s by 1.25 %, not by 5 % as in a
 * 250 ms bucket. Windows with no request are left out.
 */
export function slidingShareSeries(records: readonly RequestRecord[], host: string, windowMs: number, stepMs: number): Array<[number, number]> {
  const sent = records.filter((r) => r.host).map((r) => ({ t: r.intendedMs, mine: r.host === host })).sort((a, b) => a.t - b.t);
  if (sent.length === 0) return [];
  const out: Array<[number, number]> = [];
  const end = sent[sent.length - 1]!.t;
  let from = 0;
  let to = 0;
  let mine = 0;
  for (let t = 0; t <= end; t += stepMs) {
    while (to < sent.length && sent[to]!.t < t + windowMs) { if (sent[to]!.mine) mine++; to++; }
    while (from < to && sent[from]!.t < t) { if (sent[from]!.mine) mine--; from++; }
    if (to > from) out.push([t, (100 * mine) / (to - from)]);
  }
  return out;
}

/**
 * The first bucket start at or after fromMs from which the series stays below `percent` for at
 * least holdMs (or until untilMs); NaN when it never does.
 */
export function firstTimeBelow(series: ReadonlyArray<[number, number]>, percent: number, fromMs: number, untilMs: number, holdMs: number): number {
  const inWindow = series.filter(([t]) => t >= fromMs && t < untilMs);
  for (let i = 0; i < inWindow.length; i++) {
    const start = inWindow[i]![0];
    let held = true;
    for (let j = i; j < inWindow.length && inWindow[j]![0] < start + holdMs; j++) {
      if (inWindow[j]![1] >= percent) { held = false; break; }
    }
    if (held && inWindow[i]![1] < percent) return start;
  }
  return Number.NaN;
}

/** Successful answers per second that COMPLETED within [fromMs, toMs): throughput, whenever they were sent. */
export function completedRate(records: readonly RequestRecord[], fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const n = records.filter((r) => isSuccess(r) && r.intendedMs + r.latencyMs >= fromMs && r.intendedMs + r.latencyMs < toMs).length;
  return (n * 1000) / (toMs - fromMs);
}
