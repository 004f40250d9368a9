// bso validate -f FILE...: exit 0 when every spec is valid, 1 with every issue on stderr otherwise.
import type { Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { escapeUnprintable } from '../../crd/printable-text.js';
import { loadSpecFiles } from '../read-spec-files.js';
import type { CliContext } from '../context.js';

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check BalancedService spec files against the schema and the semantic rules, without touching any cluster.')
    .requiredOption('-f, --filename <files...>', 'spec files to check ("-" reads standard input); each may hold several YAML documents')
    .option('-q, --quiet', 'print nothing when the files are valid')
    .addHelpText('after', `
Every problem is reported at once, one per line on stderr, as
  FILE:LINE:COL: FIELD: message
e.g.
  hello.yaml:18:14: spec.agent.thresholds.ready: must be lower than spec.agent.thresholds.maint (80)

Specs are YAML 1.2: yes, no and on are text; numbers with leading zeros (0777) are refused.
A name may appear once across all the files given.

Exit codes: 0 valid, 1 invalid (or unreadable), 2 wrong usage.

Examples:
  bso validate -f examples/hello.yaml
  bso validate -f a.yaml -f b.yaml
  cat hello.yaml | bso validate -f -`)
    .action((options: { filename: string[]; quiet?: boolean }) => {
      const { specs, issues } = loadSpecFiles(options.filename, ctx.readStdin);
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        const files = new Set(issues.map((issue) => issue.file)).size;
        ctx.stderr(`${plural(issues.length, 'problem')} found in ${plural(files, 'file')}.`);
        ctx.exitCode = 1;
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
