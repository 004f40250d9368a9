// `bso operator`: wires the backend, the reconciler and the HTTP server, and runs until SIGTERM.
// Never exits because Docker is away: it waits, backs off, and reports.
import type { Server } from 'node:http';
import type { Express } from 'express';
import { BsoError } from '../lib/errors.js';
import { createLogger, type Logger } from '../lib/logger.js';
import type { Backend } from './backend.js';
import { OperatorMetrics } from './metrics.js';
import type { RenderedConfig } from './core/service-status.js';
import { Reconciler } from './reconciler.js';
import { configRenderer } from './render-for-operator.js';
import { Readiness } from './readiness.js';
import { createOperatorApp, type ConnectedOperator } from './server.js';
import { connectDocker, endpointOf } from './swarm/docker-client.js';
import { SwarmBackend } from './swarm/swarm-backend.js';
import { connectKubernetes } from './kubernetes/connect.js';
import type { KubeConfigOptions } from './kubernetes/kube-config.js';
import { leaseIdentity, type LeaderCallbacks, type LeaderElection, type LeaseTiming } from './core/leader-election.js';
import type { EndpointsDnsSettings } from './kubernetes/endpoints-dns-settings.js';
import { runEndpointsDns } from './kubernetes/run-endpoints-dns.js';
import type { Discovery } from '../haproxy/render/context.js';
import type { BalancedService } from '../crd/types.generated.js';

export interface OperatorOptions {
  backend: 'swarm' | 'kubernetes';
  listenHost: string;
  listenPort: number;
  resyncMs: number;
  /** How supervisors reach this operator; derived when not given. */
  advertiseUrl?: string;
  /** Default: JSON lines on standard output. */
  logger?: Logger;
  /** Mounts the supervisors' config API (operator/config-endpoint.ts) once connected. */
  configApi?: (reconciler: Reconciler, token: string) => { mount: (app: Express) => void; notify: (name: string) => void };
  renderConfig?: (spec: BalancedService) => RenderedConfig;
  /**
   * Elect a leader, so that several operator processes run safely (only the leader writes; the
   * others wait, not ready): on Kubernetes with the Lease bso-operator (default on; false turns
   * it off), on Swarm with the lock service bso-operator-lock (off unless given).
   */
  leaderElection?: false | { identity?: string; timing?: LeaseTiming };
  /** Kubernetes: --kubeconfig, --context, --namespace (default: KUBECONFIG, in-cluster, BSO_NAMESPACE). */
  kubernetes?: KubeConfigOptions;
  /** The leader lost its Lease (could not renew it in time): it stopped writing; the CLI exits. */
  onLostLeadership?: () => void;
  /**
   * Kubernetes without cluster DNS: run the endpoints DNS (--endpoints-dns) and render HAProxy
   * configs that ask it for the replicas instead of resolv.conf. Every replica runs it, standbys too.
   */
  endpointsDns?: EndpointsDnsSettings;
}

export interface RunningOperator {
  server: Server;
  url: string;
  /** Resolves once the backend answered and the reconciler runs (the HTTP server is up before). */
  connected: Promise<Reconciler>;
  stop(): Promise<void>;
}

/**
 * Starts the HTTP server first (/healthz, /readyz and /metrics answer from the first second, the
 * API answers 503 until connected), then connects the backend, waiting with backoff while it does
 * not answer, and starts the reconciler.
 */
export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  if (options.backend === 'kubernetes' && !options.advertiseUrl) {
    throw new BsoError('BSO_USAGE', 'with --backend=kubernetes, --advertise-url (or BSO_ADVERTISE_URL) must name the operator Service, e.g. http://bso-operator.bso-system.svc:9464');
  }
  const logger = options.logger ?? createLogger({ component: 'operator' });
  const metrics = new OperatorMetrics();
  const readiness = new Readiness();
  let connected: ConnectedOperator | undefined;
  const app = createOperatorApp({ metrics, readiness, connected: () => connected });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.listenPort, options.listenHost, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.listenPort;
  const url = `http://${options.listenHost === '0.0.0.0' ? '127.0.0.1' : options.listenHost}:${port}`;
  logger.info(`serving /healthz, /readyz, /metrics and the API on ${options.listenHost}:${port}`, { backend: options.backend });

  const stopping = new AbortController();
  let lease: LeaderElection | undefined;
  let stopEndpointsDns: (() => Promise<void>) | undefined;
  const leadership = (backend: Electable, settings: { identity?: string; timing?: LeaseTiming }) => waitForLeadership(backend, settings, logger, readiness, metrics, stopping.signal, () => {
    logger.error('lost the leader lease (could not renew it in time): stopping the reconciler');
    readiness.waiting('lost the leader lease');
    metrics.leader.set(0);
    void connected?.reconciler.stop().finally(() => options.onLostLeadership?.());
  });
  const connecting = (async () => {
    const waitFor = <T>(what: string, work: () => Promise<T>) => retryUntilReachable(what, work, logger, readiness, stopping.signal);
    let backend: Backend;
    let discovery: Discovery;
    let advertiseUrl = options.advertiseUrl;
    if (options.backend === 'kubernetes') {
      const kubernetes = connectKubernetes(options.kubernetes ?? {});
      backend = kubernetes;
      discovery = { kind: 'kubernetes', namespace: kubernetes.namespace, ...(options.endpointsDns ? { nameserver: options.endpointsDns.nameserver } : {}) };
      if (options.endpointsDns) {
        stopEndpointsDns = await runEndpointsDns(kubernetes, options.endpointsDns, logger);
        if (stopping.signal.aborted) await stopEndpointsDns(); // stop() came while it bound
      }
      if (options.leaderElection !== false) lease = await leadership(kubernetes, options.leaderElection ?? {});
    } else {
      const docker = connectDocker();
      const swarm = new SwarmBackend(docker);
      backend = swarm;
      discovery = { kind: 'swarm' };
      advertiseUrl ??= `http://${await waitFor(`Docker at ${endpointOf(docker)}`, () => gatewayAddress(swarm))}:${port}`;
      if (options.leaderElection) lease = await leadership(swarm, options.leaderElection);
    }
    const url = advertiseUrl!;
    const control = await waitFor(options.backend === 'kubernetes' ? 'the Kubernetes API' : 'Docker', () => backend.ensureControlPlane(url));
    logger.info(`supervisors reach this operator at ${url}`);
    let notify: (name: string) => void = () => {};
    const reconciler = new Reconciler({
      backend, control, metrics, logger, resyncMs: options.resyncMs, readiness,
      renderConfig: options.renderConfig ?? configRenderer(discovery),
      onConfigChange: (name) => notify(name),
    });
    const configApi = options.configApi?.(reconciler, control.token);
    if (configApi) {
      notify = configApi.notify;
      configApi.mount(app);
    }
    connected = { backend, reconciler };
    if (!lease) metrics.leader.set(1);
    if (!stopping.signal.aborted) reconciler.start();
    return reconciler;
  })();
  connecting.catch(() => undefined); // the caller handles it; this only keeps the rejection handled
  return {
    server, url, connected: connecting,
    async stop() {
      stopping.abort();
      await connected?.reconciler.stop();
      await lease?.stop();
      await stopEndpointsDns?.();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Electable { leaderLease(identity: string, callbacks: LeaderCallbacks, timing?: LeaseTiming): LeaderElection }

/** Waits until this process holds the leader lease; standby meanwhile (not ready, saying who leads). */
async function waitForLeadership(backend: Electable, settings: { identity?: string; timing?: LeaseTiming }, logger: Logger, readiness: Readiness, metrics: OperatorMetrics, signal: AbortSignal, lost: () => void): Promise<LeaderElection> {
  const identity = settings.identity ?? leaseIdentity();
  metrics.leader.set(0);
  let lease!: LeaderElection;
  await new Promise<void>((resolve, reject) => {
    lease = backend.leaderLease(identity, {
      onStartedLeading: () => {
        logger.info(`leading: holds the ${lease.where} as ${identity}`);
        metrics.leader.set(1);
        resolve();
      },
      onStoppedLeading: lost,
      onNewLeader: (holder) => {
        logger.info(`standby: the ${lease.where} is held by ${holder}`);
        readiness.waiting(`standby: the leader ${lease.where} is held by ${holder}`);
      },
    }, settings.timing);
    readiness.waiting(`standby: waiting for the leader ${lease.where}`);
    signal.addEventListener('abort', () => { void lease.stop(); reject(new BsoError('BSO_USAGE', `stopped while waiting for the leader ${lease.where}`)); }, { once: true });
    logger.info(`leader election: competing for the ${lease.where} as ${identity}`);
    lease.start();
  });
  return lease;
}

/**
 * On a host: docker_gwbridge's gateway, which every task on this node can reach. As a Swarm
 * service the stack file sets --advertise-url (BSO_ADVERTISE_URL) to its control-network alias.
 */
async function gatewayAddress(swarm: SwarmBackend): Promise<string> {
  const address = await swarm.hostGatewayAddress();
  if (!address) throw new BsoError('BSO_BACKEND_UNAVAILABLE', 'docker_gwbridge has no gateway yet (is this node in a swarm?)', { transient: true });
  return address;
}

/** Retries work with backoff (1 s doubling to 30 s) while it fails transiently; readiness says what it waits for. */
async function retryUntilReachable<T>(what: string, work: () => Promise<T>, logger: Logger, readiness: Readiness, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    readiness.waiting(`connecting to ${what}`);
    try {
      return await work();
    } catch (error) {
      if (error instanceof BsoError && !error.transient) throw error;
      if (signal.aborted) throw new BsoError('BSO_USAGE', 'stopped while connecting', { cause: error });
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      readiness.waiting(`waiting for ${what}: ${(error as Error).message}`);
      logger.warn(`waiting for ${what}: ${(error as Error).message}; retrying in ${delay / 1000}s`);
      await new Promise<void>((resolve) => {
        const wake = () => { clearTimeout(timer); resolve(); };
        const timer = setTimeout(() => { signal.removeEventListener('abort', wake); resolve(); }, delay);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }
}
