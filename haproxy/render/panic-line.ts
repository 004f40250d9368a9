// How the panic guard's threshold travels from the spec to the supervisor: one comment line in
// the rendered config, `# bso panic-threshold N` (N a percent, 0..100). A comment, so that a
// changed threshold alone is applied without a reload; HAProxy ignores it. Pure.

const LINE = /^# bso panic-threshold ([0-9]{1,3})$/m;

export function formatPanicThresholdLine(percent: number): string {
  if (!Number.isSafeInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`panic threshold ${percent} is not an integer percent from 0 to 100`);
  return `# bso panic-threshold ${percent}`;
}

/** The threshold a config carries; 0 (guard off) when it has no valid line (the bootstrap config). */
export function readPanicThreshold(configText: string): number {
  const match = LINE.exec(configText);
  if (!match) return 0;
  const percent = Number(match[1]);
  return percent <= 100 ? percent : 0;
}
