// bso delete NAME [--wait]: removes the spec; the operator removes what it created for it.
import { Option, type Command } from 'commander';
import { connectBackend } from '../connect.js';
import type { CliContext } from '../context.js';

interface DeleteOptions { backend: string; wait?: boolean; timeout: string }

export function registerDelete(program: Command, ctx: CliContext): void {
  program.command('delete <name>')
    .description('Delete a BalancedService; the operator removes everything it created for it, and nothing else.')
    .addOption(new Option('--backend <backend>', 'where specs are stored').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--wait', 'wait until the operator has removed every object of the service')
    .option('--timeout <seconds>', 'with --wait: how long to wait, in seconds', '120')
    .addHelpText('after', '\nExample:\n  bso delete hello --wait')
    .action(async (name: string, options: DeleteOptions) => {
      const backend = connectBackend(options.backend);
      if (!(await backend.deleteSpec(name))) {
        ctx.stderr(`bso delete: BalancedService ${name} not found`);
        ctx.exitCode = 1;
        return;
      }
      ctx.stdout(`balancedservice/${name} deleted`);
      if (!options.wait) return;
      const deadline = Date.now() + Number(options.timeout) * 1000;
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
