// bso operator --backend=swarm: runs the reconciler in the foreground until SIGTERM/SIGINT.
import { Option, type Command } from 'commander';
import { parseDuration } from '../../crd/duration.js';
import type { CliContext } from '../context.js';
import { contextOption, kubeconfigOption } from '../connect.js';
import { endpointsDnsSettings } from '../../operator/kubernetes/endpoints-dns-settings.js';

interface OperatorCliOptions {
  backend: 'swarm' | 'kubernetes'; listen: string; resync: string; advertiseUrl?: string; logFormat?: string; logLevel?: string; leaderElect?: boolean;
  kubeconfig?: string; context?: string; namespace?: string; endpointsDns?: string; endpointsDnsAddress?: string;
}

export function registerOperator(program: Command, ctx: CliContext): void {
  program.command('operator')
    .description('Run the reconciler: converge the cluster to every stored BalancedService, serve HAProxy configs, /healthz and /metrics.')
    .addOption(new Option('--backend <backend>', 'the orchestrator to drive').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--listen <address>', 'host:port of /healthz, /readyz, /metrics, the status API and the config API (up from the first second)', '0.0.0.0:9464')
    .option('--resync <duration>', 'period of the full resync (Docker events are only hints)', '30s')
    .addOption(new Option('--log-format <format>', 'log lines as json (for collectors) or text (for people); default text on a terminal, else json ($BSO_LOG_FORMAT)').choices(['json', 'text']))
    .addOption(new Option('--log-level <level>', 'the least severe lines to write ($BSO_LOG_LEVEL, default info)').choices(['debug', 'info', 'warn', 'error']))
    .option('--advertise-url <url>', 'how HAProxy supervisors reach this operator (default: docker_gwbridge gateway on a host, http://bso-operator:PORT in a service)')
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(new Option('-n, --namespace <namespace>', 'Kubernetes: the namespace the operator manages (default: $BSO_NAMESPACE, else the context\'s, else the pod\'s)'))
    .option('--leader-elect', 'Swarm: elect a leader with the lock service bso-operator-lock, so that a second operator can stand by (default on Kubernetes; off on Swarm; $BSO_LEADER_ELECT=1)')
    .option('--no-leader-elect', 'Kubernetes: do not elect a leader with the Lease bso-operator (only for a single replica)')
    .option('--endpoints-dns <host:port>', 'Kubernetes without cluster DNS: answer HAProxy\'s DNS queries for the API replicas itself, on this UDP address (default off: HAProxy asks the cluster DNS; $BSO_ENDPOINTS_DNS)')
    .option('--endpoints-dns-address <ip:port>', 'with --endpoints-dns: the address HAProxy pods send their queries to (default: the --endpoints-dns address, required when that is 0.0.0.0; $BSO_ENDPOINTS_DNS_ADDRESS)')
    .addHelpText('after', `
Run it on a Swarm manager (it needs the Docker socket), or as a service: deploy/swarm/operator.stack.yml.
It keeps running when Docker is unreachable (waits, backs off, reports) and stops cleanly on SIGTERM.
/healthz answers 200 while the process lives; /readyz answers 200 once Docker (or the Kubernetes
API) answers and every stored BalancedService was reconciled once, else 503 with the reason.

On Kubernetes, replicas elect a leader with the Lease bso-operator in their namespace: only the
leader writes; the others wait on standby (/readyz 503 "standby: ... held by POD") and take over
within about 15 s when the leader goes away. A leader that cannot renew its Lease for 10 s stops
and exits with code 1 (Kubernetes restarts it as a standby). bso_leader is 1 on the leader.
On Swarm, --leader-elect does the same (a 10 s lease) with the labels of a service of bso's own,
bso-operator-lock (no replicas; Docker's service versions make the writes safe). It is off by
default there: a lone operator that is killed would otherwise wait 15 s for its own lock.

Clusters without cluster DNS (no CoreDNS or kube-dns): HAProxy finds the API replicas by asking
DNS for NAME-api.NAMESPACE.svc.cluster.local, which nothing answers there. With --endpoints-dns the
operator answers it: a small DNS server with the addresses of each BalancedService's ready API
pods (from a watch on pods), and HAProxy configs that ask it instead of the pod's resolv.conf.
Make the address reachable from HAProxy pods (e.g. a UDP port on the operator's Service) and
give it with --endpoints-dns-address when the server listens on 0.0.0.0 (docs/kubernetes.md).

Logs: one line per event with time, level, component and message, and the BalancedService and
reconcile number where there is one; JSON lines for log collectors, text for people.

Examples:
  bso operator --backend=swarm --log-format text
  bso operator --backend=swarm --leader-elect      # a second one on another manager stands by
  curl -s localhost:9464/readyz
  bso operator --backend=kubernetes --advertise-url http://10.96.0.40:9464 \\
    --endpoints-dns 0.0.0.0:5353 --endpoints-dns-address 10.96.0.40:5353`)
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
      const endpointsDns = endpointsDnsSettings({
        backend: options.backend,
        listen: options.endpointsDns ?? process.env.BSO_ENDPOINTS_DNS,
        address: options.endpointsDnsAddress ?? process.env.BSO_ENDPOINTS_DNS_ADDRESS,
      });
      if ('problem' in endpointsDns) {
        ctx.stderr(`bso operator: ${endpointsDns.problem}`);
        ctx.exitCode = 2;
        return;
      }
      const { createLogger, logSettingsFrom } = await import('../../lib/logger.js');
      const settings = logSettingsFrom({ ...process.env, ...(options.logFormat ? { BSO_LOG_FORMAT: options.logFormat } : {}), ...(options.logLevel ? { BSO_LOG_LEVEL: options.logLevel } : {}) }, process.stdout.isTTY === true);
      if ('problem' in settings) {
        ctx.stderr(`bso operator: ${settings.problem}`);
        ctx.exitCode = 2;
        return;
      }
      const [{ startOperator }, { supervisorConfigApi }] = await Promise.all([import('../../operator/run-operator.js'), import('../../operator/config-api.js')]);
      const logger = createLogger({ component: 'operator', ...settings });
      const running = await startOperator({
        backend: options.backend, listenHost: host, listenPort: port, resyncMs, logger,
        advertiseUrl: options.advertiseUrl ?? process.env.BSO_ADVERTISE_URL, configApi: supervisorConfigApi,
        leaderElection: leaderElectionOf(options.backend, options.leaderElect, process.env.BSO_LEADER_ELECT),
        kubernetes: { kubeconfig: options.kubeconfig, context: options.context, namespace: options.namespace },
        endpointsDns: endpointsDns.settings,
        onLostLeadership: () => {
          ctx.stderr('bso operator: lost the leader lease; exiting so that a fresh replica competes again');
          process.exit(1);
        },
      });
      await new Promise<void>((resolve) => {
        const stop = (why: string) => {
          logger.info(`${why}: stopping`);
          running.stop().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        // A problem no wait can fix (a kubeconfig that does not load, a bad DOCKER_HOST) ends the process.
        running.connected.catch((error: unknown) => {
          ctx.exitCode = (error as { code?: string }).code === 'BSO_USAGE' ? 2 : 1;
          logger.error(`cannot start: ${(error as Error).message}`);
          ctx.stderr(`bso operator: ${(error as Error).message}`);
          stop('cannot start');
        });
      });
    });
}

function splitHostPort(text: string): [string, string] {
  const at = text.lastIndexOf(':');
  return at < 0 ? ['0.0.0.0', text] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Kubernetes elects unless --no-leader-elect; Swarm only with --leader-elect (or
 * BSO_LEADER_ELECT=1): a lone Swarm operator restarted after a crash would wait out its own lock.
 */
export function leaderElectionOf(backend: 'swarm' | 'kubernetes', flag: boolean | undefined, env: string | undefined): false | Record<string, never> {
  if (backend === 'kubernetes') return flag === false ? false : {};
  return flag === true || (flag === undefined && env === '1') ? {} : false;
}
