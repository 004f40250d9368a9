// What the renderer needs besides the spec: how replicas are discovered, how many server
// slots the backend has, and where HAProxy keeps its runtime files. Defaults are production's.

/** Swarm: Docker's embedded DNS answers tasks.<name>-api with one A record per running task. */
export interface SwarmDiscovery {
  kind: 'swarm';
  /** host:port of the nameserver; Docker's embedded resolver unless overridden (tests run their own). */
  nameserver?: string;
  /**
   * A DNS name that resolves to every replica. Default tasks.<name>-api (the operator's services);
   * `bso render stack` uses the API service's network alias, since a stack prefixes service names.
   */
  replicasHost?: string;
}

/**
 * Kubernetes: the API's headless Service, resolved through the pod's resolv.conf (cluster DNS),
 * or through the operator's endpoints DNS on a cluster without one (docs/kubernetes.md).
 */
export interface KubernetesDiscovery {
  kind: 'kubernetes';
  namespace: string;
  clusterDomain?: string;
  /** IPv4 host:port of the operator's endpoints DNS; unset: the nameservers of the pod's resolv.conf. */
  nameserver?: string;
}

export type Discovery = SwarmDiscovery | KubernetesDiscovery;

export interface RuntimePaths {
  /** The runtime API's unix socket. */
  runtimeSocket: string;
  /** The server-state file the supervisor writes before each reload. */
  serverStateFile: string;
}

export interface RenderContext {
  discovery: Discovery;
  /** Server slots of the backend: use slotsFor(replicas, currentSlots). */
  slots: number;
  /** Defaults to DEFAULT_RUNTIME_PATHS. */
  paths?: Partial<RuntimePaths>;
  /** IPv4 address the frontends bind to; '' (the default) binds every address. Tests use 127.0.0.1. */
  bindAddress?: string;
}

export const DOCKER_DNS = '127.0.0.11:53';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** The folder the supervisor owns inside the HAProxy container. */
export const DEFAULT_RUN_DIR = '/var/run/bso-haproxy';
export const DEFAULT_RUNTIME_PATHS: RuntimePaths = {
  runtimeSocket: `${DEFAULT_RUN_DIR}/runtime.sock`,
  serverStateFile: `${DEFAULT_RUN_DIR}/server-state`,
};
/** Environment variables HAProxy reads the stats credentials from (set by the supervisor). */
export const STATS_USER_ENV = 'BSO_STATS_USER';
export const STATS_PASSWORD_ENV = 'BSO_STATS_PASSWORD';
