// Pure statistics for the benchmark: percentiles of latencies, and the median and spread of one
// figure over the runs.

/** Nearest-rank percentile (q in 0..1) of values sorted ascending; NaN when there are none. */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function sortNumbers(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Runs with a finite value. */
  n: number;
  /** Runs without one (NaN: "never happened", e.g. a replica that was never taken out). */
  missing: number;
}

/** Median (mean of the middle two for an even count) and min..max of the finite values. */
export function summarize(values: readonly number[]): Summary {
  const finite = sortNumbers(values.filter((v) => Number.isFinite(v)));
  const missing = values.length - finite.length;
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0, missing };
  const mid = finite.length >> 1;
  const median = finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median, min: finite[0]!, max: finite[finite.length - 1]!, n: finite.length, missing };
}

/** A figure rounded for people: 3 significant digits, no exponent for ordinary sizes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return String(Math.round(value));
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(value.toFixed(digits)));
}
