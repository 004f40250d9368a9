// The weight a ready replica reports, derived from its headroom below the maint threshold.
//
//   weight% = clamp(round(100 * (maint - load) / maint), 1, 100)
//
// 100 % when idle, falling linearly with load, 1 % just below maint (never 0 while ready, as a
// zero weight would mean DRAIN). With every replica reporting its headroom, HAProxy sends each
// new connection in proportion to what each replica has left, so a replica slowed by its own
// traffic sheds part of it long before it would need maint.

export const MIN_READY_WEIGHT = 1;
export const MAX_WEIGHT = 100;

export function computeReadyWeight(loadPercent: number, maintAt: number): number {
  if (!Number.isFinite(loadPercent) || maintAt <= 0) return MIN_READY_WEIGHT;
  const headroom = (maintAt - Math.max(0, loadPercent)) / maintAt;
  const weight = Math.round(MAX_WEIGHT * headroom);
  return Math.min(MAX_WEIGHT, Math.max(MIN_READY_WEIGHT, weight));
}
