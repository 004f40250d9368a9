// Service times as a compact histogram the main thread can fill without locks and the agent's
// thread can read without copying requests: bucket i counts times in [2^(i/4), 2^((i+1)/4)) us,
// four buckets per doubling (each about 19 % wide), from 1 us to about 17 minutes. Pure.

export const SERVICE_TIME_BUCKETS = 120;
const PER_DOUBLING = 4;

/** The bucket of a service time in microseconds (times below 1 us count in bucket 0). */
export function serviceTimeBucket(us: number): number {
  if (!(us > 1)) return 0;
  return Math.min(SERVICE_TIME_BUCKETS - 1, Math.floor(Math.log2(us) * PER_DOUBLING));
}

/** The upper bound of bucket i, in microseconds: what a quantile that lands in it reports. */
export function bucketUpperUs(i: number): number {
  return 2 ** ((i + 1) / PER_DOUBLING);
}

/** The q-quantile (0..1) of the times counted in `counts`, in microseconds; undefined when empty. */
export function quantileUs(counts: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketUpperUs(i);
  }
  return bucketUpperUs(counts.length - 1);
}

/** What the app reports between two reads: requests completed, their times, requests in flight now. */
export interface RequestWindow {
  completed: number;
  /** Per-bucket counts of the window's service times. */
  buckets: number[];
  /** Sum of the window's service times, microseconds. */
  totalUs: number;
  inFlight: number;
}
