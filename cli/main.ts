// The bso command line. `main` returns the exit code: 0 success, 1 failure, 2 wrong usage.
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isBsoError } from '../lib/errors.js';
import { processContext, type CliContext } from './context.js';
import { registerValidate } from './commands/validate.js';
import { registerRender } from './commands/render.js';
import { registerApply } from './commands/apply.js';
import { registerGet } from './commands/get.js';
import { registerDescribe } from './commands/describe.js';
import { registerDelete } from './commands/delete.js';
import { registerDiff } from './commands/diff.js';
import { registerOperator } from './commands/operator.js';
import { registerTop } from './commands/top.js';
import { registerRollout } from './commands/rollout.js';
import { registerCompletion } from './commands/completion.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Examples for verbs whose own file has none yet (cli/main.test.ts fails if a verb has two). */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('bso')
    .description('bso, the BalancedService operator: resource-aware load balancing with HAProxy agent-checks on Docker Swarm and Kubernetes.')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => ctx.stdout(s.replace(/\n$/, '')), writeErr: (s) => ctx.stderr(s.replace(/\n$/, '')) })
    .addHelpText('after', `
Start here:
  bso validate -f examples/hello.yaml          check a spec
  bso render haproxy -f examples/hello.yaml    see the HAProxy config it becomes
  bso apply -f examples/hello.yaml --wait      deploy it (an operator must run)
  bso operator --backend=swarm                 run the operator on a Swarm manager

Exit codes: 0 success, 1 failure, 2 wrong usage. Run bso COMMAND --help for details.`);
  registerValidate(program, ctx);
  registerRender(program, ctx);
  registerApply(program, ctx);
  registerGet(program, ctx);
  registerDescribe(program, ctx);
  registerDelete(program, ctx);
  registerDiff(program, ctx);
  registerTop(program, ctx);
  registerRollout(program, ctx);
  registerOperator(program, ctx);
  registerCompletion(program, ctx);
  exitOverrideDeep(program);
  return program;
}

function exitOverrideDeep(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideDeep(sub);
}

export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const program = buildProgram(ctx);
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    const code = isBsoError(error) ? `${error.code}: ` : '';
    ctx.stderr(`bso: ${code}${(error as Error).message}`);
    return EXIT_FAILURE;
  }
  return ctx.exitCode;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await main(process.argv);
