// bso apply -f FILE... [--wait]: validate everything first, then store each spec in the cluster.
import { Option, type Command } from 'commander';
import { parseDuration } from '../../crd/duration.js';
import { formatIssue } from '../../crd/spec-issue.js';
import { connectBackend, fetchStatus, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { loadSpecFiles } from '../read-spec-files.js';
import { waitUntilReady } from '../wait-ready.js';

interface ApplyOptions { filename: string[]; backend: string; wait?: boolean; timeout: string; operator?: string }

export function registerApply(program: Command, ctx: CliContext): void {
  program.command('apply')
    .description('Validate spec files and store them in the cluster, where the operator reconciles them. Idempotent.')
    .requiredOption('-f, --filename <files...>', 'spec files ("-" reads standard input)')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--wait', 'wait until every applied service is Ready, showing progress')
    .option('--timeout <duration>', 'with --wait: how long to wait (e.g. 90s, 5m)', '5m')
    .option('--operator <url>', 'operator API for --wait (default $BSO_OPERATOR_URL or http://127.0.0.1:9464)')
    .addHelpText('after', `
All files are validated first; when any is invalid nothing is applied (exit 1).
Specs are stored in the cluster (on Swarm: config objects labelled bso.dev/component=spec),
so an operator on any manager finds them. Applying an unchanged spec writes nothing.

Examples:
  bso apply -f examples/hello.yaml
  bso apply -f examples/hello.yaml --wait --timeout 3m`)
    .action(async (options: ApplyOptions) => {
      const timeoutMs = parseDuration(options.timeout);
      if (timeoutMs === undefined) {
        ctx.stderr(`bso apply: --timeout ${options.timeout}: must be a duration such as 90s or 5m`);
        ctx.exitCode = 2;
        return;
      }
      const { specs, issues } = loadSpecFiles(options.filename);
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        ctx.stderr(`${issues.length} problem${issues.length === 1 ? '' : 's'} found; nothing was applied.`);
        ctx.exitCode = 1;
        return;
      }
      const backend = connectBackend(options.backend);
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
      const ok = await waitUntilReady(applied, { timeoutMs, print: ctx.stdout, fetch: (name) => fetchStatus(url, name) });
      if (!ok) ctx.exitCode = 1;
    });
}
