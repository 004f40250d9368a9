// A problem found in a spec, with where it is. Printed as `FILE:LINE:COL: PATH: message`.
// File, path and message come from the user's input: they are kept printable (printable-text.ts)
// both as data (JSON output, status messages) and when formatted.
import { escapeUnprintable } from '../lib/printable-text.js';

export interface SpecIssue {
  /** The file (or "<stdin>") the spec came from. */
  file: string;
  /** 1-based line and column of the offending key or value. */
  line: number;
  col: number;
  /** Dotted path of the field, e.g. spec.agent.thresholds.ready; "" for the document itself. */
  path: string;
  message: string;
}

export type PathSegment = string | number;

/** spec.agent.port, spec.env.FOO, items[2] */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += `[${escapeUnprintable(JSON.stringify(segment))}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export function formatIssue(issue: SpecIssue): string {
  const { file, path, message } = printableIssue(issue);
  const where = path === '' ? '' : `${path}: `;
  return `${file}:${issue.line}:${issue.col}: ${where}${message}`;
}

/** The issue with its file, path and message made printable: what every loader returns. */
export function printableIssue(issue: SpecIssue): SpecIssue {
  return { ...issue, file: escapeUnprintable(issue.file), path: escapeUnprintable(issue.path), message: escapeUnprintable(issue.message) };
}

export function compareIssues(a: SpecIssue, b: SpecIssue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.path.localeCompare(b.path);
}
