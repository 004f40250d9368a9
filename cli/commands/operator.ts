// bso operator --backend=swarm: runs the reconciler in the foreground until SIGTERM/SIGINT.
import { Option, type Command } from 'commander';
import { parseDuration } from '../../crd/duration.js';
import type { CliContext } from '../context.js';

interface OperatorCliOptions { backend: 'swarm' | 'kubernetes'; listen: string; resync: string; advertiseUrl?: string }

export function registerOperator(program: Command, ctx: CliContext): void {
  program.command('operator')
    .description('Run the reconciler: converge the cluster to every stored BalancedService, serve HAProxy configs, /healthz and /metrics.')
    .addOption(new Option('--backend <backend>', 'the orchestrator to drive').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--listen <address>', 'host:port of /healthz, /readyz, /metrics, the status API and the config API (up from the first second)', '0.0.0.0:9464')
    .option('--resync <duration>', 'period of the full resync (Docker events are only hints)', '30s')
    .option('--advertise-url <url>', 'how HAProxy supervisors reach this operator (default: docker_gwbridge gateway on a host, http://bso-operator:PORT in a service)')
    .addHelpText('after', `
Run it on a Swarm manager (it needs the Docker socket), or as a service: deploy/swarm/operator.stack.yml.
It keeps running when Docker is unreachable (waits, backs off, reports) and stops cleanly on SIGTERM.
/healthz answers 200 while the process lives; /readyz answers 200 once Docker (or the Kubernetes
API) answers and every stored BalancedService was reconciled once, else 503 with the reason.

Example:
  bso operator --backend=swarm
  curl -s localhost:9464/metrics | grep bso_reconcile_total`)
    .action(async (options: OperatorCliOptions) => {
      const [host, portText] = splitHostPort(options.listen);
      const port = Number(portText);
      const resyncMs = parseDuration(options.resync);
      if (!host || !Number.isInteger(port) || port < 0 || port > 65535) {
        ctx.stderr(`bso operator: --listen ${options.listen}: must be host:port, e.g. 0.0.0.0:9464`);
        ctx.exitCode = 2;
        return;
      }
      if (resyncMs === undefined || resyncMs < 1000) {
        ctx.stderr(`bso operator: --resync ${options.resync}: must be a duration of at least 1s, e.g. 30s`);
        ctx.exitCode = 2;
        return;
      }
      const [{ startOperator }, { supervisorConfigApi }] = await Promise.all([import('../../operator/run-operator.js'), import('../../operator/config-api.js')]);
      const running = await startOperator({
        backend: options.backend, listenHost: host, listenPort: port, resyncMs,
        advertiseUrl: options.advertiseUrl ?? process.env.BSO_ADVERTISE_URL, configApi: supervisorConfigApi,
      });
      await new Promise<void>((resolve) => {
        const stop = (why: string) => {
          ctx.stderr(`bso operator: ${why}: stopping`);
          running.stop().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        // A problem no wait can fix (a kubeconfig that does not load, a bad DOCKER_HOST) ends the process.
        running.connected.catch((error: unknown) => {
          ctx.exitCode = (error as { code?: string }).code === 'BSO_USAGE' ? 2 : 1;
          stop(`cannot start: ${(error as Error).message}`);
        });
      });
    });
}

function splitHostPort(text: string): [string, string] {
  const at = text.lastIndexOf(':');
  return at < 0 ? ['0.0.0.0', text] : [text.slice(0, at), text.slice(at + 1)];
}
