// spec + context -> the HAProxy model. Pure and total for every valid spec; the values HAProxy
// needs but the spec does not carry (resolver timings, stats refresh...) are pinned here.
import { durationMs } from '../../crd/duration.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { apiServiceName, kubernetesReplicasDnsName, swarmReplicasDnsName } from '../../contract/names.js';
import {
  DEFAULT_CLUSTER_DOMAIN, DEFAULT_RUNTIME_PATHS, DOCKER_DNS, STATS_PASSWORD_ENV, STATS_USER_ENV,
  type Discovery, type RenderContext,
} from './context.js';
import type { HAProxyModel, NameserverSource } from './model.js';
import { UnsafeConfigValueError } from './config-text.js';
import { parseIpv4HostPort } from '../../lib/ipv4-address.js';

/** The agent's `ready NN%` sets the weight to NN% of this; HAProxy's default of 1 would round 50% to 0. */
export const SERVER_WEIGHT = 100;
export const SERVER_PREFIX = 'replica';
/** The panic guard's backend (same replicas, no agent-check): <service>-panic, servers panic1..N. */
export const PANIC_SERVER_PREFIX = 'panic';
export const panicBackendName = (service: string) => `${service}-panic`;
export const RESOLVERS_NAME = 'bso-dns';
/** How often HAProxy's resolvers ask DNS (timeout resolve): a new replica's address is seen within it. */
export const RESOLVE_EVERY_MS = 1000;
export const STATS_FRONTEND = 'stats';
/** Methods whose requests HAProxy may send again to another replica (RFC 9110 idempotent methods). */
export const IDEMPOTENT_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'TRACE'] as const;
/** Failures retried on another replica. Connection failures are retried for every method. */
export const RETRY_ON = ['conn-failure', 'empty-response', 'junk-response', '503'] as const;

/**
 * Checks while a replica changes state, and while it is DOWN: a new replica (in DNS before its
 * app listens) or one coming back is found within these, not within a full interval.
 */
export const FAST_CHECK_MS = 250;
export const DOWN_CHECK_MS = 500;

const MIN_HARD_STOP_MS = 30_000;
const MAX_HARD_STOP_MS = 15 * 60_000;
const HTTP_REQUEST_TIMEOUT_MS = 10_000;

export function buildHAProxyModel(spec: BalancedService, context: RenderContext): HAProxyModel {
  const name = spec.metadata.name;
  const s = spec.spec;
  const timeouts = s.haproxy.timeouts;
  const serverMs = durationMs(timeouts.server);
  const clientMs = durationMs(timeouts.client);
  const bindAddress = context.bindAddress ?? '';
  const paths = { ...DEFAULT_RUNTIME_PATHS, ...context.paths };
  return {
    service: name,
    global: {
      runtimeSocket: paths.runtimeSocket,
      serverStateFile: paths.serverStateFile,
      hardStopAfterMs: Math.min(Math.max(serverMs, MIN_HARD_STOP_MS), MAX_HARD_STOP_MS),
    },
    defaults: {
      retryAfterSeconds: Math.max(1, Math.ceil(durationMs(timeouts.queue) / 1000)),
      timeouts: {
        connectMs: durationMs(timeouts.connect),
        clientMs,
        serverMs,
        queueMs: durationMs(timeouts.queue),
        httpRequestMs: Math.min(clientMs, HTTP_REQUEST_TIMEOUT_MS),
        httpKeepAliveMs: Math.min(clientMs, HTTP_REQUEST_TIMEOUT_MS),
      },
    },
    resolvers: {
      name: RESOLVERS_NAME,
      nameserver: nameserverOf(context.discovery),
      acceptedPayloadSize: 8192,
      resolveRetries: 3,
      resolveTimeoutMs: RESOLVE_EVERY_MS,
      retryTimeoutMs: 1000,
      holdValidMs: 10_000,
      holdOtherMs: 5000,
      holdObsoleteMs: 5000,
    },
    frontend: { name, bind: { address: bindAddress, port: s.haproxy.port }, backend: apiServiceName(name) },
    backend: {
      name: apiServiceName(name),
      balance: s.haproxy.balance,
      retries: s.haproxy.retries,
      retryMethods: IDEMPOTENT_METHODS,
      retryOn: RETRY_ON,
      healthCheck: {
        path: s.healthCheck.path,
        host: apiServiceName(name),
        intervalMs: durationMs(s.healthCheck.interval),
        fastIntervalMs: Math.min(FAST_CHECK_MS, durationMs(s.healthCheck.interval)),
        downIntervalMs: Math.min(DOWN_CHECK_MS, durationMs(s.healthCheck.interval)),
        fall: s.healthCheck.fall,
        rise: s.healthCheck.rise,
      },
      servers: {
        prefix: SERVER_PREFIX,
        slots: context.slots,
        fqdn: replicasDnsName(name, context.discovery),
        port: s.port,
        weight: SERVER_WEIGHT,
        maxconn: maxconnPerInstance(s.haproxy.maxconnPerServer, s.haproxy.replicas),
        slowstartMs: durationMs(s.haproxy.slowstart),
        agentPort: s.agent.port,
        agentIntervalMs: durationMs(s.agent.interval),
      },
      panic: { thresholdPercent: s.haproxy.panicThreshold, backend: panicBackendName(name), serverPrefix: PANIC_SERVER_PREFIX },
    },
    stats: {
      name: STATS_FRONTEND,
      bind: { address: bindAddress, port: s.haproxy.statsPort },
      uri: '/stats',
      metricsPath: '/metrics',
      refreshMs: 5000,
      realm: 'bso',
      userEnv: STATS_USER_ENV,
      passwordEnv: STATS_PASSWORD_ENV,
    },
  };
}

export function replicasDnsName(name: string, discovery: Discovery): string {
  if (discovery.kind === 'swarm') return discovery.replicasHost ?? swarmReplicasDnsName(name);
  return kubernetesReplicasDnsName(name, discovery.namespace, discovery.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
}

/** Swarm: Docker's resolver unless given; Kubernetes: resolv.conf unless given (the endpoints DNS). */
function nameserverOf(discovery: Discovery): NameserverSource {
  const text = discovery.nameserver ?? (discovery.kind === 'swarm' ? DOCKER_DNS : undefined);
  if (text === undefined) return { kind: 'resolv-conf' };
  const parsed = parseIpv4HostPort(text);
  if (!parsed) throw new UnsafeConfigValueError('context.discovery.nameserver', `${JSON.stringify(text)} is not an IPv4 host:port`);
  return { kind: 'address', ...parsed };
}

/**
 * Each HAProxy instance's share of a replica's concurrency ceiling: several instances together
 * send one replica maxconnPerServer, not that many times over (each share rounded up, as the
 * agents round theirs: api/agent/decide-agent-reply.ts; 0 stays unlimited). This is the ceiling
 * before the agents answer.
 */
export function maxconnPerInstance(maxconnPerServer: number, instances: number): number {
  return maxconnPerServer === 0 ? 0 : Math.max(1, Math.ceil(maxconnPerServer / instances));
}
