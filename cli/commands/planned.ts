// Verbs whose implementation lands with a later issue. Their options and help are final;
// running one says so and exits 1 (BSO_NOT_IMPLEMENTED), never pretends to work.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';

function notYet(ctx: CliContext, verb: string, issue: string) {
  return () => {
    ctx.stderr(`bso ${verb}: BSO_NOT_IMPLEMENTED: this command lands with ${issue}; nothing was changed.`);
    ctx.exitCode = 1;
  };
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
