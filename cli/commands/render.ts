// bso render haproxy -f FILE: the HAProxy configuration the operator would serve for the specs.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerRender(program: Command, ctx: CliContext): void {
  const render = program.command('render').description('Print what bso would generate from spec files, without touching any cluster.');
  render.command('haproxy')
    .description('Print the HAProxy configuration the operator would serve for the given specs.')
    .requiredOption('-f, --filename <files...>', 'spec files ("-" reads standard input)')
    .action(() => {
      ctx.stderr('bso render haproxy: BSO_NOT_IMPLEMENTED: the renderer lands with the haproxy/ issue (#4).');
      ctx.exitCode = 1;
    });
}
