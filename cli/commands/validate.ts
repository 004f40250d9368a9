// bso validate -f FILE...: exit 0 when every spec is valid, 1 with every issue on stderr otherwise.
import type { Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { loadSpecFiles } from '../read-spec-files.js';
import type { CliContext } from '../context.js';

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check BalancedService spec files against the schema and the semantic rules, without touching any cluster.')
    .requiredOption('-f, --filename <files...>', 'spec files to check ("-" reads standard input); each may hold several YAML documents')
    .option('-q, --quiet', 'print nothing when the files are valid')
    .addHelpText('after', `
Every problem is reported at once, one per line, as FILE:LINE:COL: FIELD: message.

Exit codes: 0 valid, 1 invalid, 2 wrong usage.

Examples:
  bso validate -f examples/hello.yaml
  bso validate -f a.yaml b.yaml
  cat hello.yaml | bso validate -f -`)
    .action((options: { filename: string[]; quiet?: boolean }) => {
      const { specs, issues } = loadSpecFiles(options.filename);
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        ctx.stderr(`${issues.length} problem${issues.length === 1 ? '' : 's'} found; nothing was applied.`);
        ctx.exitCode = 1;
        return;
      }
      if (!options.quiet) {
        for (const spec of specs) ctx.stdout(`${spec.file}: BalancedService/${spec.object.metadata.name} is valid`);
      }
    });
}
