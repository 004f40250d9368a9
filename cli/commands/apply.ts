// bso apply -f PATH... [--wait]: validate everything first, then store each spec in the cluster.
import type { Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { backendOption, connectBackend, fetchStatus, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { addFilenameOptions, readSpecs, timeoutMs, type FilenameOptions } from '../options.js';
import { waitUntilReady } from '../wait-ready.js';

interface ApplyOptions extends FilenameOptions { backend: string; wait?: boolean; timeout: string; operator?: string; dryRun?: boolean }

export function registerApply(program: Command, ctx: CliContext): void {
  const command = program.command('apply')
    .description('Validate spec files and store them in the cluster, where the operator reconciles them. Idempotent.');
  addFilenameOptions(command)
    .addOption(backendOption())
    .option('--dry-run', 'validate and say what would be applied; touch no cluster')
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
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        ctx.stderr(`${issues.length} problem${issues.length === 1 ? '' : 's'} found; nothing was applied.`);
        ctx.exitCode = 1;
        return;
      }
      if (options.dryRun) {
        for (const spec of specs) ctx.stdout(`balancedservice/${spec.object.metadata.name} valid, would be applied (dry run)`);
        return;
      }
      const backend = await connectBackend(options.backend);
      const applied: Array<{ name: string; generation: number }> = [];
      for (const spec of specs) {
        const result = await backend.putSpec(spec.object);
        const name = spec.object.metadata.name;
        const verb = !result.changed ? 'unchanged' : result.generation === 1 ? 'created' : 'configured';
        ctx.stdout(`balancedservice/${name} ${verb} (generation ${result.generation})`);
        applied.push({ name, generation: result.generation });
      }
      if (!options.wait) return;
      const url = operatorUrl(options.operator);
      const ok = await waitUntilReady(applied, { timeoutMs: waitMs, print: ctx.stdout, fetch: (name) => fetchStatus(url, name) });
      if (!ok) ctx.exitCode = 1;
    });
}
