// Where the Kubernetes API is and how to authenticate, like kubectl, as a @kubernetes/client-node
// KubeConfig: the files in $KUBECONFIG merged as kubectl merges them (the first file to name a
// cluster, user, context or current-context wins), else ~/.kube/config, else the in-cluster
// ServiceAccount. client-node does the rest: tokens, client certificates, basic auth, credential
// plugins (`exec`: EKS, GKE, AKS, OIDC kubelogin; `auth-provider`), CA and TLS options.
// bso adds what kubectl does and client-node does not: a kubeconfig's `tokenFile` (client-go's
// key), re-read like the in-cluster token; plain-HTTP servers (`kubectl proxy`); errors that name
// the file and the context.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { BsoError } from '../../lib/errors.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** A kubeconfig file; default the files in $KUBECONFIG, else ~/.kube/config. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default its current-context. */
  context?: string;
  /** Overrides the context's namespace. */
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
  home?: string;
}

/** A cluster to talk to: client-node's KubeConfig (its current context chosen) and one namespace. */
export interface KubeTarget {
  readonly config: KubeConfig;
  readonly namespace: string;
  /** Where it came from, for messages: the kubeconfig file(s) and context, or "in-cluster". */
  readonly source: string;
}

export function loadKubeTarget(options: KubeConfigOptions = {}): KubeTarget {
  const env = options.env ?? process.env;
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw configError(`kubeconfig ${options.kubeconfig} does not exist`);
    return fromKubeconfigFiles([options.kubeconfig], options);
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  const candidates = fromEnv.length > 0 ? fromEnv : [join(options.home ?? homedir(), '.kube', 'config')];
  const files = candidates.filter((path) => existsSync(path));
  if (files.length > 0) return fromKubeconfigFiles(files, options);
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) return inCluster(env, saDir, options.namespace);
  throw configError(`no kubeconfig found (tried ${candidates.join(', ')}) and not running in a cluster`);
}

/** The files merged as kubectl merges $KUBECONFIG; then the context chosen and checked. */
export function fromKubeconfigFiles(files: readonly string[], options: Pick<KubeConfigOptions, 'context' | 'namespace'> = {}): KubeTarget {
  const merged = { clusters: [] as Cluster[], users: [] as User[], contexts: [] as Context[], currentContext: '' };
  for (const file of files) {
    const one = loadFile(file);
    const addNew = <T extends { name: string }>(into: T[], from: readonly T[]) => {
      for (const item of from) if (!into.some((known) => known.name === item.name)) into.push(item);
    };
    addNew(merged.clusters, one.clusters);
    addNew(merged.users, one.users);
    addNew(merged.contexts, one.contexts);
    merged.currentContext ||= one.currentContext;
  }
  const where = files.join(':');
  const contextName = options.context ?? merged.currentContext;
  const context = merged.contexts.find((c) => c.name === contextName);
  if (!context) throw configError(`${where}: context ${JSON.stringify(contextName)} not found${merged.contexts.length ? ` (it has ${merged.contexts.map((c) => c.name).join(', ')})` : ''}`);
  const cluster = merged.clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw configError(`${where}: context ${contextName} names cluster ${JSON.stringify(context.cluster)}, which is not defined`);
  const config = new KubeConfig();
  config.loadFromOptions({ ...merged, currentContext: contextName });
  return { config, namespace: options.namespace ?? context.namespace ?? 'default', source: `${where} (context ${contextName})` };
}

/**
 * One kubeconfig file through client-node, relative paths resolved against its folder. A user's
 * `tokenFile` (the key kubectl reads; client-node reads only `token-file`, once) becomes
 * client-node's token-file authenticator, which re-reads the file every minute.
 */
function loadFile(file: string): KubeConfig {
  const config = new KubeConfig();
  let raw: { users?: Array<{ name?: unknown; user?: Record<string, unknown> }> };
  const base = dirname(file);
  try {
    const text = readFileSync(file, 'utf8');
    raw = (parse(text) ?? {}) as typeof raw;
    config.loadFromString(text); // what config.loadFromFile does, without reading the file again
    config.makePathsAbsolute(base);
  } catch (error) {
    throw configError(`${file}: ${(error as Error).message}`);
  }
  const users = config.users.map((user) => {
    const fromFile = raw.users?.find((u) => u.name === user.name)?.user ?? {};
    const tokenFile = fromFile.tokenFile ?? fromFile['token-file'];
    if (typeof tokenFile !== 'string' || typeof fromFile.token === 'string') return user;
    const path = isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile);
    return { ...user, token: undefined, authProvider: { name: 'tokenFile', config: { tokenFile: path } } };
  });
  // kubectl talks plain HTTP to an http:// server (`kubectl proxy`); client-node only when TLS
  // verification is off, which for plain HTTP changes nothing else.
  const clusters = config.clusters.map((cluster) => (cluster.server?.startsWith('http:') ? { ...cluster, skipTLSVerify: true } : cluster));
  config.loadFromOptions({ clusters, users, contexts: config.contexts, currentContext: config.currentContext });
  return config;
}

/** The pod's ServiceAccount: its token re-read every minute (bound tokens rotate), its CA, its namespace. */
function inCluster(env: NodeJS.ProcessEnv, saDir: string, namespace: string | undefined): KubeTarget {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const namespaceFile = join(saDir, 'namespace');
  const caFile = join(saDir, 'ca.crt');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, skipTLSVerify: false, ...(existsSync(caFile) ? { caFile } : {}) }],
    users: [{ name: 'service-account', authProvider: { name: 'tokenFile', config: { tokenFile: join(saDir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'service-account' }],
    currentContext: 'in-cluster',
  });
  return {
    config,
    namespace: namespace ?? (existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : 'default'),
    source: `in-cluster (ServiceAccount in ${saDir})`,
  };
}

/**
 * A target from its parts, without a kubeconfig file: the FAKE API server in tests (plain HTTP,
 * which client-node allows only with TLS verification off) and tokens the tests ask for.
 */
export function kubeTargetFor(parts: { server: string; namespace: string; token?: string; caData?: string }): KubeTarget {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: parts.server, skipTLSVerify: parts.server.startsWith('http:'), ...(parts.caData ? { caData: parts.caData } : {}) }],
    users: [{ name: 'u', ...(parts.token ? { token: parts.token } : {}) }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return { config, namespace: parts.namespace, source: parts.server };
}

function configError(message: string): BsoError {
  return new BsoError('BSO_BACKEND_UNAVAILABLE', `Kubernetes configuration: ${message}`);
}
