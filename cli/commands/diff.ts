// bso diff -f PATH...: what apply would change, as a line diff of the stored and the new spec.
// Exit 0 same, 1 differences, 2 anything else (usage, invalid files, the cluster not reachable).
import type { Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { escapeUnprintable } from '../../lib/printable-text.js';
import { backendOption, contextOption, kubeconfigOption, namespaceOption, connectBackend } from '../connect.js';
import type { CliContext } from '../context.js';
import { comparableStored } from '../comparable-spec.js';
import { lineDiff } from '../line-diff.js';
import { addFilenameOptions, outputOption, readSpecs, type FilenameOptions } from '../options.js';
import { printDocument } from '../print-document.js';

interface DiffOptions extends FilenameOptions { backend: string; output: 'diff' | 'json' | 'yaml' }
interface SpecDiff { name: string; file: string; stored?: { generation: number }; changed: boolean; lines: string[] }

const EXIT_SAME = 0;
const EXIT_DIFFERENT = 1;
const EXIT_ERROR = 2;

export function registerDiff(program: Command, ctx: CliContext): void {
  const command = program.command('diff')
    .description('Show what apply would change: the stored spec against the files (defaults filled in on both sides).');
  addFilenameOptions(command)
    .addOption(backendOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(namespaceOption())
    .addOption(outputOption(['diff', 'json', 'yaml'], 'diff: a unified-style line diff per changed spec; json or yaml: {changed, specs: [{name, file, stored, changed, lines}]}'))
    .addHelpText('after', `
Exit codes (like diff and kubectl diff): 0 no difference, 1 differences,
2 anything else: wrong usage, an invalid file, the cluster not reachable.

Examples:
  bso diff -f examples/hello.yaml
  bso diff -f specs/ -R -o json
  bso diff -f examples/hello.yaml && echo "nothing to apply"`)
    .action(async (options: DiffOptions) => {
      const { specs, issues } = await readSpecs(options, ctx);
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        ctx.exitCode = EXIT_ERROR;
        return;
      }
      const diffs: SpecDiff[] = [];
      try {
        const { stringify } = await import('yaml');
        const backend = await connectBackend(options);
        for (const spec of specs) {
          const name = spec.object.metadata.name;
          const stored = await backend.getSpec(name);
          const held = stored && (stored.valid ? stored.object : stored.stored);
          const after = { metadata: spec.object.metadata, spec: spec.object.spec };
          const before = held ? stringify(comparableStored({ metadata: (held.metadata ?? {}) as object, spec: held.spec }, after)) : '';
          const afterText = stringify(after);
          diffs.push({ name, file: spec.file, ...(stored ? { stored: { generation: stored.generation } } : {}), changed: before !== afterText, lines: before === afterText ? [] : lineDiff(before, afterText) });
        }
      } catch (error) {
        ctx.stderr(`bso diff: ${(error as Error).message}`);
        ctx.exitCode = EXIT_ERROR;
        return;
      }
      const changed = diffs.some((d) => d.changed);
      ctx.exitCode = changed ? EXIT_DIFFERENT : EXIT_SAME;
      if (options.output !== 'diff') {
        await printDocument(ctx, options.output, { changed, specs: diffs });
        return;
      }
      for (const d of diffs.filter((x) => x.changed)) {
        ctx.stdout(`--- balancedservice/${d.name} (${d.stored ? `stored, generation ${d.stored.generation}` : 'not stored'})`);
        ctx.stdout(`+++ balancedservice/${d.name} (${escapeUnprintable(d.file)})`);
        for (const line of d.lines) ctx.stdout(escapeUnprintable(line));
      }
    });
}
