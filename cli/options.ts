// Options several verbs share, defined once so that they mean the same everywhere (kubectl's
// habits): -f takes files, folders (-R: with subfolders) and "-"; -o is always a format;
// --timeout is always a duration.
import { Option, type Command } from 'commander';
import { parseDuration } from '../crd/duration.js';
import { formatIssue, type SpecIssue } from '../crd/spec-issue.js';
import type { CliContext } from './context.js';

export interface FilenameOptions { filename: string[]; recursive?: boolean }

/** -f/--filename (required, repeatable) and -R/--recursive. */
export function addFilenameOptions(command: Command, what = 'spec files'): Command {
  return command
    .requiredOption('-f, --filename <paths...>', `${what}: files, folders (their .yaml, .yml and .json files) or "-" for standard input; repeatable`)
    .option('-R, --recursive', 'with a folder in -f: read its subfolders too');
}

/** -o/--output: one of `formats`, the first is the default. */
export function outputOption(formats: readonly [string, ...string[]], help = 'output format'): Option {
  return new Option('-o, --output <format>', help).choices(formats).default(formats[0]);
}

/** --timeout as a duration (90s, 5m), or undefined after telling the user (exit 2). */
export function timeoutMs(text: string, verb: string, ctx: CliContext): number | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.stderr(`bso ${verb}: --timeout ${text}: must be a duration such as 90s or 5m`);
    ctx.exitCode = 2;
  }
  return ms;
}

/** The spec loader, loaded when a verb needs it (it brings the schema and the YAML parser). */
export async function readSpecs(options: FilenameOptions, ctx: CliContext) {
  const { loadSpecFiles } = await import('./read-spec-files.js');
  return loadSpecFiles(options.filename, ctx.readStdin, options.recursive ?? false);
}

/** Prints every issue and "N problems found; nothing was VERB." and sets exit code 1; false when there are none. */
export function refusedForIssues(issues: readonly SpecIssue[], verb: string, ctx: CliContext): boolean {
  if (issues.length === 0) return false;
  for (const issue of issues) ctx.stderr(formatIssue(issue));
  ctx.stderr(`${issues.length} problem${issues.length === 1 ? '' : 's'} found; nothing was ${verb}.`);
  ctx.exitCode = 1;
  return true;
}
