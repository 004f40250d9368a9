// Where the Kubernetes API is and how to authenticate, like kubectl: $KUBECONFIG (its first
// file), else ~/.kube/config, else the in-cluster ServiceAccount. Supports tokens, token files,
// client certificates and basic auth, and credential plugins (`exec`: EKS, GKE, AKS, OIDC
// kubelogin; `auth-provider`) through @kubernetes/client-node's KubeConfig, which runs the plugin
// and caches its token until it expires; client-node is loaded only when a plugin is in use.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { BsoError } from '../../lib/errors.js';
import type { KubeConnection } from './http-kube-api.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** A kubeconfig file; default $KUBECONFIG's first entry, else ~/.kube/config. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default its current-context. */
  context?: string;
  /** Overrides the context's namespace. */
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
  home?: string;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string; namespace?: string } }>;
  clusters?: Array<{ name?: string; cluster?: Record<string, unknown> }>;
  users?: Array<{ name?: string; user?: Record<string, unknown> }>;
}

export function loadKubeConnection(options: KubeConfigOptions = {}): KubeConnection {
  const env = options.env ?? process.env;
  const candidates = options.kubeconfig ? [options.kubeconfig] : [
    ...(env.KUBECONFIG ?? '').split(':').filter(Boolean),
    join(options.home ?? homedir(), '.kube', 'config'),
  ];
  const file = candidates.find((path) => existsSync(path));
  if (options.kubeconfig && !file) throw configError(`kubeconfig ${options.kubeconfig} does not exist`);
  if (file) return fromKubeconfig(file, options);
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) return inCluster(env, saDir, options.namespace);
  throw configError(`no kubeconfig found (tried ${candidates.join(', ')}) and not running in a cluster`);
}

export function fromKubeconfig(file: string, options: Pick<KubeConfigOptions, 'context' | 'namespace'> = {}): KubeConnection {
  const config = (parse(readFileSync(file, 'utf8')) ?? {}) as KubeconfigFile;
  const contextName = options.context ?? config['current-context'];
  const context = (config.contexts ?? []).find((c) => c.name === contextName)?.context;
  if (!context) throw configError(`${file}: context ${JSON.stringify(contextName)} not found`);
  const cluster = (config.clusters ?? []).find((c) => c.name === context.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') throw configError(`${file}: cluster ${JSON.stringify(context.cluster)} of context ${contextName} has no server`);
  const user = (config.users ?? []).find((u) => u.name === context.user)?.user ?? {};
  const plugin = user.exec || user['auth-provider'] ? credentialPlugin(file, contextName!, String(context.user)) : undefined;
  const base = dirname(file);
  const read = (dataKey: string, fileKey: string, from: Record<string, unknown>) => {
    if (typeof from[dataKey] === 'string') return Buffer.from(from[dataKey] as string, 'base64').toString('utf8');
    if (typeof from[fileKey] === 'string') return readFileSync(resolvePath(base, from[fileKey] as string), 'utf8');
    return undefined;
  };
  const tokenFile = typeof user.tokenFile === 'string' ? resolvePath(base, user.tokenFile) : undefined;
  const token = typeof user.token === 'string' ? user.token : undefined;
  return {
    server: cluster.server,
    namespace: options.namespace ?? context.namespace ?? 'default',
    ca: read('certificate-authority-data', 'certificate-authority', cluster),
    cert: read('client-certificate-data', 'client-certificate', user),
    key: read('client-key-data', 'client-key', user),
    token: token ? () => token : tokenFile ? cachedFile(tokenFile) : undefined,
    basicAuth: typeof user.username === 'string' && typeof user.password === 'string' ? { username: user.username, password: user.password } : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(plugin ? { authorization: plugin } : {}),
  };
}

/**
 * The Authorization header a credential plugin gives, through client-node's KubeConfig (loaded
 * on first use, kept: it caches the plugin's token until it expires). A plugin that fails is
 * BSO_BACKEND_UNAVAILABLE naming the user and the plugin's own message.
 */
function credentialPlugin(file: string, context: string, user: string): () => Promise<string | undefined> {
  let loaded: Promise<{ applyToHTTPSOptions(options: object): Promise<void> }> | undefined;
  return async () => {
    loaded ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const config = new KubeConfig();
      config.loadFromFile(file);
      config.setCurrentContext(context);
      return config;
    });
    const options: { headers: Record<string, string> } = { headers: {} };
    try {
      await (await loaded).applyToHTTPSOptions(options);
    } catch (error) {
      throw new BsoError('BSO_BACKEND_UNAVAILABLE', `Kubernetes configuration: ${file}: the credential plugin of user ${user} failed: ${(error as Error).message}`, { transient: true, cause: error });
    }
    return options.headers['Authorization'] ?? options.headers['authorization'];
  };
}

function inCluster(env: NodeJS.ProcessEnv, saDir: string, namespace: string | undefined): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const namespaceFile = join(saDir, 'namespace');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    namespace: namespace ?? (existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : 'default'),
    ca: existsSync(join(saDir, 'ca.crt')) ? readFileSync(join(saDir, 'ca.crt'), 'utf8') : undefined,
    token: cachedFile(join(saDir, 'token')),
  };
}

/** Reads a token file at most once a minute: bound ServiceAccount tokens are rotated. */
function cachedFile(path: string, maxAgeMs = 60_000): () => string {
  let value = '';
  let readAt = -Infinity;
  return () => {
    if (performance.now() - readAt > maxAgeMs) {
      value = readFileSync(path, 'utf8').trim();
      readAt = performance.now();
    }
    return value;
  };
}

const resolvePath = (base: string, path: string) => (isAbsolute(path) ? path : join(base, path));

function configError(message: string): BsoError {
  return new BsoError('BSO_BACKEND_UNAVAILABLE', `Kubernetes configuration: ${message}`);
}
