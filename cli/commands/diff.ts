// bso diff -f FILE...: what apply would change, as a line diff of the stored and the new spec.
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { formatIssue } from '../../crd/spec-issue.js';
import { connectBackend } from '../connect.js';
import type { CliContext } from '../context.js';
import { escapeUnprintable } from '../../crd/printable-text.js';
import { loadSpecFiles } from '../read-spec-files.js';
import { lineDiff } from '../line-diff.js';

export function registerDiff(program: Command, ctx: CliContext): void {
  program.command('diff')
    .description('Show what apply would change: the stored spec against the files (defaults filled in on both sides).')
    .requiredOption('-f, --filename <files...>', 'spec files ("-" reads standard input)')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .addHelpText('after', '\nExit codes: 0 no difference, 1 differences, 2 usage or spec errors.\n\nExamples:\n  bso diff -f examples/hello.yaml\n  bso diff -f examples/hello.yaml && echo "nothing to apply"')
    .action(async (options: { filename: string[]; backend: string }) => {
      const { specs, issues } = loadSpecFiles(options.filename);
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        ctx.exitCode = 2;
        return;
      }
      const backend = connectBackend(options.backend);
      let changed = false;
      for (const spec of specs) {
        const name = spec.object.metadata.name;
        const stored = await backend.getSpec(name);
        const held = stored && (stored.valid ? stored.object : stored.stored);
        const before = held ? stringify({ metadata: held.metadata, spec: held.spec }) : '';
        const after = stringify({ metadata: spec.object.metadata, spec: spec.object.spec });
        if (before === after) continue;
        changed = true;
        ctx.stdout(`--- balancedservice/${name} (${stored ? `stored, generation ${stored.generation}` : 'not stored'})`);
        ctx.stdout(`+++ balancedservice/${name} (${escapeUnprintable(spec.file)})`);
        for (const line of lineDiff(before, after)) ctx.stdout(line);
      }
      if (changed) ctx.exitCode = 1;
    });
}
