// The fault suite's table: every fault test records one row per fault it injected (or input it
// tried) with the figure it measured and what clients lost. `node scripts/run-tests.mjs faults`
// sets BSO_FAULTS_REPORT to a JSON-lines file and prints the rows as a Markdown table at the end
// (scripts/print-fault-table.mjs). Outside that runner the rows go to stderr, so a single test
// file run by hand still shows its figures.
import { appendFileSync } from 'node:fs';

export interface FaultRow {
  /** The row number ("1".."15"), or a new id such as "16" for rows we added. */
  row: string;
  /** What was done: "SIGKILL the operator after each Docker write (7 writes)". */
  fault: string;
  /** The figure measured: "converged in 4.2 s after each kill; 0 duplicates, 0 orphans". */
  figure: string;
  /** What clients or state lost: "0 of 12,345 requests failed", or "-" when nothing can be lost. */
  lost: string;
  /** Whether the test's own assertions held (a failed row is still printed). */
  passed: boolean;
}

export const FAULTS_REPORT_ENV = 'BSO_FAULTS_REPORT';

export function recordFaultRow(row: FaultRow): void {
  const line = JSON.stringify({ ...row, at: new Date().toISOString() });
  const file = process.env[FAULTS_REPORT_ENV];
  if (file) appendFileSync(file, `${line}\n`);
  else process.stderr.write(`fault row: ${line}\n`);
}

/** Formats a count with thousands separators, as the table prints them. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
