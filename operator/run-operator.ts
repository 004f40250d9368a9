// `bso operator`: wires the backend, the reconciler and the HTTP server, and runs until SIGTERM.
// Never exits because Docker is away: it waits, backs off, and reports.
import type { Server } from 'node:http';
import type { Express } from 'express';
import { BsoError } from '../lib/errors.js';
import type { Backend } from './backend.js';
import { OperatorMetrics } from './metrics.js';
import type { RenderedConfig } from './core/service-status.js';
import { Reconciler } from './reconciler.js';
import { configRenderer } from './render-for-operator.js';
import { createOperatorApp } from './server.js';
import { connectDocker } from './swarm/docker-client.js';
import { SwarmBackend } from './swarm/swarm-backend.js';
import { connectKubernetes } from './kubernetes/connect.js';
import type { Discovery } from '../haproxy/render/context.js';
import type { BalancedService } from '../crd/types.generated.js';

export interface OperatorOptions {
  backend: 'swarm' | 'kubernetes';
  listenHost: string;
  listenPort: number;
  resyncMs: number;
  /** How supervisors reach this operator; derived when not given. */
  advertiseUrl?: string;
  log?: (line: string) => void;
  /** Mounts the supervisors' config API (operator/config-endpoint.ts). */
  configApi?: (reconciler: Reconciler, token: string) => { mount: (app: Express) => void; notify: (name: string) => void };
  renderConfig?: (spec: BalancedService) => RenderedConfig;
}

export interface RunningOperator {
  reconciler: Reconciler;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  let backend: Backend;
  let discovery: Discovery;
  let advertiseUrl = options.advertiseUrl;
  if (options.backend === 'kubernetes') {
    const kubernetes = connectKubernetes();
    backend = kubernetes;
    discovery = { kind: 'kubernetes', namespace: kubernetes.namespace };
    if (!advertiseUrl) throw new BsoError('BSO_USAGE', 'with --backend=kubernetes, --advertise-url (or BSO_ADVERTISE_URL) must name the operator Service, e.g. http://bso-operator.bso-system.svc:9464');
  } else {
    const swarm = new SwarmBackend(connectDocker());
    backend = swarm;
    discovery = { kind: 'swarm' };
    advertiseUrl ??= await defaultAdvertiseUrl(swarm, options.listenPort, log);
  }
  const control = await retryUntilReachable(() => backend.ensureControlPlane(advertiseUrl), log);
  log(`supervisors reach this operator at ${advertiseUrl}`);

  const metrics = new OperatorMetrics();
  let notify: (name: string) => void = () => {};
  const reconciler = new Reconciler({
    backend, control, metrics, log, resyncMs: options.resyncMs,
    renderConfig: options.renderConfig ?? configRenderer(discovery),
    onConfigChange: (name) => notify(name),
  });
  const configApi = options.configApi?.(reconciler, control.token);
  if (configApi) notify = configApi.notify;
  const app = createOperatorApp({ backend, reconciler, metrics, mountConfigApi: configApi?.mount });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.listenPort, options.listenHost, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.listenPort;
  const url = `http://${options.listenHost === '0.0.0.0' ? '127.0.0.1' : options.listenHost}:${port}`;
  log(`serving /healthz, /metrics and the API on ${options.listenHost}:${port}`);
  reconciler.start();
  return {
    reconciler, server, url,
    async stop() {
      await reconciler.stop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * On a host: docker_gwbridge's gateway, which every task on this node can reach. As a Swarm
 * service the stack file sets --advertise-url (BSO_ADVERTISE_URL) to its control-network alias.
 */
async function defaultAdvertiseUrl(swarm: SwarmBackend, port: number, log: (line: string) => void): Promise<string> {
  const gateway = await retryUntilReachable(async () => {
    const address = await swarm.hostGatewayAddress();
    if (!address) throw new BsoError('BSO_BACKEND_UNAVAILABLE', 'docker_gwbridge has no gateway yet (is this node in a swarm?)', { transient: true });
    return address;
  }, log);
  return `http://${gateway}:${port}`;
}

async function retryUntilReachable<T>(work: () => Promise<T>, log: (line: string) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof BsoError && !error.transient) throw error;
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      log(`waiting for Docker: ${(error as Error).message}; retrying in ${delay / 1000}s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
