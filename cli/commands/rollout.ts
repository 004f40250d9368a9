// bso rollout status NAME: follows the rollout of a BalancedService's replicas to its spec.
import type { Command } from 'commander';
import { backendOption, connectBackend, contextOption, fetchStatus, kubeconfigOption, namespaceOption, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { timeoutMs } from '../options.js';
import { followRollout } from '../follow-rollout.js';

interface RolloutStatusOptions { backend: string; operator?: string; timeout: string; watch: boolean }

export function registerRollout(program: Command, ctx: CliContext): void {
  const rollout = program.command('rollout').description('Follow how a BalancedService\'s replicas roll out to a new spec (image, env, resources).');
  rollout.command('status <name>')
    .description('Show the rollout of NAME\'s replicas to its spec, line by line, until every replica runs the new revision and serves in HAProxy (exit 0), the rollout failed (exit 1: the old replicas still serve) or the time is up (exit 1).')
    .addOption(backendOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(namespaceOption())
    .option('--operator <url>', 'operator API for status (default $BSO_OPERATOR_URL or http://127.0.0.1:9464)')
    .option('--timeout <duration>', 'how long to follow (e.g. 90s, 5m)', '5m')
    .option('--no-watch', 'say where the rollout stands once and exit (0 complete, 1 failed, 0 still going)')
    .addHelpText('after', `
A rollout replaces the replicas as spec.rollout says (by default one at a time, the new one first):
each new replica must be UP in HAProxy before an old one stops, and each old one is drained
through its agent first. A new version whose replicas fail to start stops the rollout; the old
replicas keep serving and \`bso describe\` shows Degraded RolloutFailed (docs/rollouts.md).

Examples:
  bso apply -f hello.yaml && bso rollout status hello
  bso rollout status hello --timeout 10m
  bso rollout status hello --no-watch      # one line: where it stands`)
    .action(async (name: string, options: RolloutStatusOptions) => {
      const waitMs = timeoutMs(options.timeout, 'rollout status', ctx);
      if (waitMs === undefined) return;
      const stored = await (await connectBackend(options)).getSpec(name);
      if (!stored) {
        ctx.stderr(`bso rollout status: BalancedService ${name} not found`);
        ctx.exitCode = 1;
        return;
      }
      const url = operatorUrl(options.operator);
      const outcome = await followRollout(name, {
        generation: stored.generation, timeoutMs: waitMs, watch: options.watch, print: ctx.stdout, fetch: () => fetchStatus(url, name),
      });
      ctx.exitCode = outcome === 'failed' || outcome === 'timeout' ? 1 : 0;
    });
}
