// Small statistics for the control-plane scenarios (5 to 8): percentiles, and how a cost grows
// with the work (is it linear, and from which step on does it stop being so). Pure.

/** The p-th percentile (0..100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface ScalingPoint { size: number; cost: number }

export interface ScalingStep {
  from: number;
  to: number;
  /** Cost per unit of work at `from` and at `to`. */
  perUnitFrom: number;
  perUnitTo: number;
  /**
   * (cost growth) / (size growth): 1 = linear; well above 1 = worse than linear; below 1 = the
   * fixed part still dominates (the step is cheaper per unit than the one before).
   */
  ratio: number;
}

export interface ScalingVerdict {
  steps: ScalingStep[];
  /** The size of the first step whose ratio exceeds the threshold (superlinear from there on). */
  departsAt?: number;
  /** One line for the notes. */
  summary: string;
}

/**
 * How a cost grows with size, step by step. A step is "linear" while the cost grows at most
 * `threshold` times as fast as the size does.
 */
export function describeScaling(points: readonly ScalingPoint[], unit: string, threshold = 1.5): ScalingVerdict {
  const sorted = [...points].filter((p) => p.size > 0 && Number.isFinite(p.cost)).sort((a, b) => a.size - b.size);
  const steps: ScalingStep[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const ratio = a.cost > 0 ? (b.cost / a.cost) / (b.size / a.size) : NaN;
    steps.push({ from: a.size, to: b.size, perUnitFrom: a.cost / a.size, perUnitTo: b.cost / b.size, ratio });
  }
  const departing = steps.find((s) => s.ratio > threshold);
  const parts = steps.map((s) => `${s.from}->${s.to}: ${formatNumber(s.perUnitTo)} ${unit} each, x${formatNumber(s.ratio)}`);
  const verdict = steps.length === 0 ? 'too few points to judge'
    : departing ? `stops being linear at ${departing.to} (x${formatNumber(departing.ratio)} > ${threshold})`
      : `linear or better up to ${sorted.at(-1)!.size} (every step <= x${threshold})`;
  return { steps, departsAt: departing?.to, summary: `${verdict}; per step: ${parts.join('; ')}` };
}

/** 3 significant digits, without exponent for the usual ranges. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return value.toFixed(Math.min(digits, 6));
}
