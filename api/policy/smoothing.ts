// Exponentially weighted moving average over irregular time steps. The time constant tau is
// the smoothing window: after a step change the average covers 63 % of it within tau, 95 %
// within 3 tau, so a spike much shorter than tau moves it only a little.

/**
 * The next smoothed value. With no previous value (the first sample) the average starts at 0,
 * so a replica's start-up burst does not drain it; tauMs 0 disables smoothing.
 */
export function smoothEwma(previous: number | undefined, sample: number, elapsedMs: number, tauMs: number): number {
  if (!Number.isFinite(sample)) return previous ?? 0;
  if (tauMs <= 0) return sample;
  const start = previous ?? 0;
  const alpha = 1 - Math.exp(-Math.max(0, elapsedMs) / tauMs);
  return start + alpha * (sample - start);
}
