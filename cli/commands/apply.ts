// bso apply -f PATH... [--wait]: validate everything first, then store each spec in the cluster.
import type { Command } from 'commander';
import { backendOption, contextOption, kubeconfigOption, namespaceOption, connectBackend, fetchStatus, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { addFilenameOptions, outputOption, readSpecs, refusedForIssues, timeoutMs, type FilenameOptions } from '../options.js';
import { printDocument } from '../print-document.js';
import { waitUntilReady } from '../wait-ready.js';

interface ApplyOptions extends FilenameOptions { backend: string; wait?: boolean; timeout: string; operator?: string; dryRun?: boolean; output: 'text' | 'json' | 'yaml' }

export function registerApply(program: Command, ctx: CliContext): void {
  const command = program.command('apply')
    .description('Validate spec files and store them in the cluster, where the operator reconciles them. Idempotent.');
  addFilenameOptions(command)
    .addOption(backendOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(namespaceOption())
    .option('--dry-run', 'validate and say what would be applied; touch no cluster')
    .addOption(outputOption(['text', 'json', 'yaml'], 'text, or one json/yaml document {applied: [{name, generation, result}], ready} on stdout (progress on stderr)'))
    .option('--wait', 'wait until every applied service is Ready, showing progress')
    .option('--timeout <duration>', 'with --wait: how long to wait (e.g. 90s, 5m)', '5m')
    .option('--operator <url>', 'operator API for --wait (default $BSO_OPERATOR_URL or http://127.0.0.1:9464)')
    .addHelpText('after', `
All files are validated first; when any is invalid nothing is applied (exit 1).
Specs are stored in the cluster (on Swarm: config objects labelled bso.dev/component=spec),
so an operator on any manager finds them. Applying an unchanged spec writes nothing.

Examples:
  bso apply -f examples/hello.yaml
  bso apply -f specs/ -R --dry-run
  bso apply -f examples/hello.yaml --wait --timeout 3m`)
    .action(async (options: ApplyOptions) => {
      const waitMs = timeoutMs(options.timeout, 'apply', ctx);
      if (waitMs === undefined) return;
      const { specs, issues } = await readSpecs(options, ctx);
      if (refusedForIssues(issues, 'applied', ctx)) return;
      const documented = options.output !== 'text';
      const say = documented ? ctx.stderr : ctx.stdout;
      const applied: Array<{ name: string; generation?: number; result: string }> = [];
      if (options.dryRun) {
        for (const spec of specs) {
          say(`balancedservice/${spec.object.metadata.name} valid, would be applied (dry run)`);
          applied.push({ name: spec.object.metadata.name, result: 'valid (dry run)' });
        }
      } else {
        const backend = await connectBackend(options);
        for (const spec of specs) {
          const result = await backend.putSpec(spec.object);
          const name = spec.object.metadata.name;
          const verb = !result.changed ? 'unchanged' : result.generation === 1 ? 'created' : 'configured';
          say(`balancedservice/${name} ${verb} (generation ${result.generation})`);
          applied.push({ name, generation: result.generation, result: verb });
        }
      }
      let ready: boolean | undefined;
      if (options.wait && !options.dryRun) {
        const url = operatorUrl(options.operator);
        ready = await waitUntilReady(applied.map((a) => ({ name: a.name, generation: a.generation! })), { timeoutMs: waitMs, print: say, fetch: (name) => fetchStatus(url, name) });
        if (!ready) ctx.exitCode = 1;
      }
      if (documented) await printDocument(ctx, options.output as 'json' | 'yaml', { applied, ...(ready === undefined ? {} : { ready }) });
    });
}
