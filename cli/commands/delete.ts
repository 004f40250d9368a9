// bso delete NAME [--wait]: removes the spec; the operator removes what it created for it.
import type { Command } from 'commander';
import { backendOption, contextOption, kubeconfigOption, namespaceOption, connectBackend } from '../connect.js';
import type { CliContext } from '../context.js';
import { timeoutMs } from '../options.js';

interface DeleteOptions { backend: string; wait?: boolean; timeout: string; dryRun?: boolean }

export function registerDelete(program: Command, ctx: CliContext): void {
  program.command('delete <name>')
    .description('Delete a BalancedService; the operator removes everything it created for it, and nothing else.')
    .addOption(backendOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(namespaceOption())
    .option('--wait', 'wait until the operator has removed every object of the service')
    .option('--timeout <duration>', 'with --wait: how long to wait (e.g. 90s, 2m)', '2m')
    .option('--dry-run', 'say whether it would be deleted, and delete nothing')
    .addHelpText('after', '\nExit codes: 0 deleted (and gone, with --wait), 1 not found or timed out, 2 wrong usage.\n\nExamples:\n  bso delete hello --wait\n  bso delete hello --dry-run')
    .action(async (name: string, options: DeleteOptions) => {
      const waitMs = timeoutMs(options.timeout, 'delete', ctx);
      if (waitMs === undefined) return;
      const backend = await connectBackend(options);
      if (options.dryRun) {
        const exists = (await backend.getSpec(name)) !== undefined;
        if (exists) ctx.stdout(`balancedservice/${name} deleted (dry run)`);
        else { ctx.stderr(`bso delete: BalancedService ${name} not found`); ctx.exitCode = 1; }
        return;
      }
      if (!(await backend.deleteSpec(name))) {
        ctx.stderr(`bso delete: BalancedService ${name} not found`);
        ctx.exitCode = 1;
        return;
      }
      ctx.stdout(`balancedservice/${name} deleted`);
      if (!options.wait) return;
      const deadline = Date.now() + waitMs;
      while ((await backend.listOwners()).includes(name)) {
        if (Date.now() > deadline) {
          ctx.stderr(`timed out: objects of ${name} are still there (is the operator running?)`);
          ctx.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      ctx.stdout(`all objects of ${name} are gone`);
    });
}
