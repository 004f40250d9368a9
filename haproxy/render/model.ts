// The typed HAProxy model: everything the rendered config says, as data. Built from a spec by
// buildHAProxyModel, turned into text by renderHAProxyConfig. Durations are milliseconds.

export interface HAProxyModel {
  /** The BalancedService this HAProxy serves. */
  service: string;
  global: GlobalModel;
  defaults: DefaultsModel;
  resolvers: ResolversModel;
  frontend: FrontendModel;
  backend: BackendModel;
  stats: StatsModel;
}

export interface GlobalModel {
  /** Unix socket of the runtime API (level admin, never TCP); also hands listeners to the next worker. */
  runtimeSocket: string;
  /** Where the supervisor dumps `show servers state` before a reload; loaded by the new worker. */
  serverStateFile: string;
  /** An old worker still serving long requests is killed this long after a reload. */
  hardStopAfterMs: number;
}

export interface DefaultsModel {
  /** What HAProxy's own 503 (queue full or timed out, no replica) tells clients: retry after this many seconds. */
  retryAfterSeconds: number;
  timeouts: {
    connectMs: number;
    clientMs: number;
    serverMs: number;
    queueMs: number;
    httpRequestMs: number;
    httpKeepAliveMs: number;
  };
}

/** How HAProxy finds the replicas: a fixed nameserver (Swarm; Kubernetes with the endpoints DNS) or the container's resolv.conf (Kubernetes). */
export type NameserverSource = { kind: 'address'; address: string; port: number } | { kind: 'resolv-conf' };

export interface ResolversModel {
  name: string;
  nameserver: NameserverSource;
  acceptedPayloadSize: number;
  resolveRetries: number;
  resolveTimeoutMs: number;
  retryTimeoutMs: number;
  /** How long a valid answer is kept, and how long other outcomes (nx, timeout, refused...) are held. */
  holdValidMs: number;
  holdOtherMs: number;
  /** How long a replica that vanished from the answer stays in its slot. */
  holdObsoleteMs: number;
}

export interface Bind {
  /** IPv4 address; '' means every address. */
  address: string;
  port: number;
}

export interface FrontendModel {
  name: string;
  bind: Bind;
  backend: string;
}

export interface HealthCheckModel {
  path: string;
  /** Host header of the check request. */
  host: string;
  intervalMs: number;
  /** Between checks while a replica changes state (going up or down), and while it is DOWN. */
  fastIntervalMs: number;
  downIntervalMs: number;
  fall: number;
  rise: number;
}

export interface ServerTemplateModel {
  /** Servers are named <prefix>1 .. <prefix><slots>. */
  prefix: string;
  slots: number;
  /** DNS name resolving to every replica (A records). */
  fqdn: string;
  port: number;
  /** Weight 100 makes the agent's `ready NN%` mean weight NN. */
  weight: number;
  /** This instance's share of spec.haproxy.maxconnPerServer; 0 means unlimited. */
  maxconn: number;
  slowstartMs: number;
  agentPort: number;
  agentIntervalMs: number;
}

export interface BackendModel {
  name: string;
  /** random is rendered `random(2)`: power of two choices over the weights. */
  balance: 'random' | 'leastconn' | 'roundrobin';
  retries: number;
  /** HTTP methods whose requests may be retried after being sent (idempotent ones). */
  retryMethods: readonly string[];
  /** Conditions under which a request is retried (on another replica: redispatch on every retry). */
  retryOn: readonly string[];
  healthCheck: HealthCheckModel;
  servers: ServerTemplateModel;
  panic: PanicGuardModel;
}

/**
 * The panic guard (docs/haproxy.md). thresholdPercent reaches the supervisor as the comment line
 * `# bso panic-threshold N`. When it is above 0 the config also has a second backend for the
 * same replicas, health-checked but without agent-check, which the frontend uses only while the
 * agent-checked backend has no usable server (nbsrv 0): no request meets "no server available"
 * in the moment before the supervisor holds servers in service.
 */
export interface PanicGuardModel {
  /** 0..100; 0 disables the guard (no panic backend). */
  thresholdPercent: number;
  /** The panic backend: <service>-panic. */
  backend: string;
  /** Its servers are named <serverPrefix>1 .. <serverPrefix><slots>. */
  serverPrefix: string;
}

export interface StatsModel {
  name: string;
  bind: Bind;
  uri: string;
  metricsPath: string;
  refreshMs: number;
  realm: string;
  /** Environment variables holding the credentials; HAProxy expands them, the text never holds them. */
  userEnv: string;
  passwordEnv: string;
}
