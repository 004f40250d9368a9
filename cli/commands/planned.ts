// Verbs whose implementation lands with later issues. Their options and help are final;
// running one says so and exits 1 (BSO_NOT_IMPLEMENTED), never pretends to work.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';

function notYet(ctx: CliContext, verb: string, issue: string) {
  return () => {
    ctx.stderr(`bso ${verb}: BSO_NOT_IMPLEMENTED: this command lands with ${issue}; nothing was changed.`);
    ctx.exitCode = 1;
  };
}

export function registerApply(program: Command, ctx: CliContext): void {
  program.command('apply')
    .description('Validate spec files and store them in the cluster, where the operator reconciles them. Idempotent.')
    .requiredOption('-f, --filename <files...>', 'spec files ("-" reads standard input)')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--wait', 'wait until every applied service is Ready, showing progress')
    .option('--timeout <duration>', 'with --wait: how long to wait', '5m')
    .addHelpText('after', '\nAll files are validated first; when any is invalid nothing is applied.\n\nExample:\n  bso apply -f examples/hello.yaml --wait')
    .action(notYet(ctx, 'apply', 'the operator issue (#5)'));
}

export function registerGet(program: Command, ctx: CliContext): void {
  program.command('get [name]')
    .description('List BalancedServices with desired and ready replicas, or show one.')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml', 'wide']).default('table'))
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .addHelpText('after', '\nExamples:\n  bso get\n  bso get hello -o json     # status.servers lists each replica\'s HAProxy state and weight')
    .action(notYet(ctx, 'get', 'the operator issue (#5)'));
}

export function registerDescribe(program: Command, ctx: CliContext): void {
  program.command('describe <name>')
    .description('Show one BalancedService in detail: conditions, servers with state, weight and CPU, recent events.')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .action(notYet(ctx, 'describe', 'the operator issue (#5)'));
}

export function registerDelete(program: Command, ctx: CliContext): void {
  program.command('delete <name>')
    .description('Delete a BalancedService; the operator removes everything it created for it, and nothing else.')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--wait', 'wait until every object of the service is gone')
    .action(notYet(ctx, 'delete', 'the operator issue (#5)'));
}

export function registerDiff(program: Command, ctx: CliContext): void {
  program.command('diff')
    .description('Show what apply would change: the stored spec against the files, and the HAProxy config change.')
    .requiredOption('-f, --filename <files...>', 'spec files ("-" reads standard input)')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .addHelpText('after', '\nExit codes: 0 no difference, 1 differences, 2 usage or spec errors.')
    .action(notYet(ctx, 'diff', 'the operator issue (#5)'));
}

export function registerOperator(program: Command, ctx: CliContext): void {
  program.command('operator')
    .description('Run the reconciler: converge the cluster to every stored BalancedService, serve HAProxy configs, /healthz and /metrics.')
    .addOption(new Option('--backend <backend>', 'the orchestrator to drive').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--listen <address>', 'address of /metrics, /healthz and the config API', '0.0.0.0:9464')
    .option('--resync <duration>', 'period of the full resync (Docker events are only hints)', '30s')
    .addHelpText('after', '\nExample:\n  bso operator --backend=swarm')
    .action(notYet(ctx, 'operator', 'the operator issue (#5)'));
}
