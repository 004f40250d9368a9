// bso validate -f PATH...: exit 0 when every spec is valid, 1 with every issue otherwise (on stderr
// as text, or on stdout as one JSON or YAML document for CI and editors).
import type { Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { escapeUnprintable } from '../../lib/printable-text.js';
import type { CliContext } from '../context.js';
import { addFilenameOptions, outputOption, readSpecs, type FilenameOptions } from '../options.js';
import { printDocument } from '../print-document.js';

interface ValidateOptions extends FilenameOptions { quiet?: boolean; output: 'text' | 'json' | 'yaml' }

export function registerValidate(program: Command, ctx: CliContext): void {
  const command = program
    .command('validate')
    .description('Check BalancedService spec files against the schema and the semantic rules, without touching any cluster.');
  addFilenameOptions(command, 'spec files to check; each may hold several YAML documents')
    .option('-q, --quiet', 'print nothing when the files are valid (text output)')
    .addOption(outputOption(['text', 'json', 'yaml'], 'text: problems on stderr; json or yaml: one document on stdout, {valid, specs, issues}'))
    .addHelpText('after', `
Every problem is reported at once, one per line on stderr, as
  FILE:LINE:COL: FIELD: message
e.g.
  hello.yaml:18:14: spec.agent.thresholds.ready: must be lower than spec.agent.thresholds.maint (80)
With -o json (or yaml) the same problems are one document on stdout:
  {"valid": false, "specs": [], "issues": [{"file", "line", "col", "path", "message"}]}

Specs are YAML 1.2: yes, no and on are text; numbers with leading zeros (0777) are refused.
A name may appear once across all the files given.

Exit codes: 0 valid, 1 invalid (or unreadable), 2 wrong usage.

Examples:
  bso validate -f examples/hello.yaml
  bso validate -f specs/ -R -o json
  cat hello.yaml | bso validate -f -`)
    .action(async (options: ValidateOptions) => {
      const { specs, issues } = await readSpecs(options, ctx);
      if (issues.length > 0) ctx.exitCode = 1;
      if (options.output !== 'text') {
        await printDocument(ctx, options.output, {
          valid: issues.length === 0,
          specs: specs.map((s) => ({ file: s.file, name: s.object.metadata.name })),
          issues,
        });
        return;
      }
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        const files = new Set(issues.map((issue) => issue.file)).size;
        ctx.stderr(`${plural(issues.length, 'problem')} found in ${plural(files, 'file')}.`);
        return;
      }
      if (!options.quiet) {
        for (const spec of specs) ctx.stdout(`${escapeUnprintable(spec.file)}: BalancedService ${spec.object.metadata.name} is valid`);
      }
    });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
