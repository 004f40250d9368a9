// What the operator and the images must agree on about names: the names and labels of
// everything bso creates for a BalancedService, and the environment the operator sets in each
// image. Part of the contract between the images (contract/): imports nothing of ours.

export const LABEL_PREFIX = 'bso.dev/';
/** On every object bso owns: the BalancedService it belongs to. */
export const LABEL_OWNER = 'bso.dev/balancedservice';
/** On every object bso owns: what the object is for (api, haproxy, network, stats-auth, spec). */
export const LABEL_COMPONENT = 'bso.dev/component';
/** Hash of the desired object, so an unchanged spec causes zero writes. */
export const LABEL_SPEC_HASH = 'bso.dev/spec-hash';
/** On services and each of their replicas: the revision of the replicas' template (operator/core/desired-state.ts revisionOf). */
export const LABEL_REVISION = 'bso.dev/revision';
/** On services: the port of their /metrics, for Prometheus's Swarm discovery (deploy/prometheus). */
export const LABEL_METRICS_PORT = 'bso.dev/metrics-port';
/** Marks objects managed by bso at all. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'bso';

export type Component = 'api' | 'haproxy' | 'network' | 'stats-auth' | 'spec';

export const apiServiceName = (name: string) => `${name}-api`;
export const haproxyServiceName = (name: string) => `${name}-haproxy`;
export const networkName = (name: string) => `${name}-net`;
export const statsSecretName = (name: string) => `${name}-stats-auth`;

/** DNS name that resolves to every API replica: Swarm's tasks.<service> (endpoint_mode dnsrr). */
export const swarmReplicasDnsName = (name: string) => `tasks.${apiServiceName(name)}`;
/** Kubernetes: the DNS zone of a namespace's Services. */
export const kubernetesServiceZone = (namespace: string, clusterDomain = 'cluster.local') => `${namespace}.svc.${clusterDomain}`;
/** Kubernetes: the headless Service of the API replicas. */
export const kubernetesReplicasDnsName = (name: string, namespace: string, clusterDomain?: string) =>
  `${apiServiceName(name)}.${kubernetesServiceZone(namespace, clusterDomain)}`;

/** Environment variables the operator sets in every API replica (read by bso-api). */
export const AGENT_ENV = {
  port: 'PORT',
  agentPort: 'AGENT_PORT',
  maintAt: 'BSO_MAINT_AT',
  readyAt: 'BSO_READY_AT',
  metric: 'BSO_AGENT_METRIC',
  sampleInterval: 'BSO_SAMPLE_INTERVAL',
  smoothing: 'BSO_SMOOTHING',
  minMaintTime: 'BSO_MIN_MAINT_TIME',
  weighting: 'BSO_AGENT_WEIGHTING',
  /** spec.resources.cpus: a replica with these CPUs and nothing else running has capacity 1 (weight 100 %). */
  referenceCpus: 'BSO_REFERENCE_CPUS',
  /** spec.haproxy.maxconnPerServer: the most requests in flight the agent ever allows (0 = no limit). */
  maxconnLimit: 'BSO_MAXCONN_LIMIT',
  cgroupRoot: 'BSO_CGROUP_ROOT',
  drainDelay: 'BSO_DRAIN_DELAY',
  shutdownTimeout: 'BSO_SHUTDOWN_TIMEOUT',
  /** spec.healthCheck.path and .rise: the replica is ready once HAProxy's check passed rise times (contract/readiness.ts). */
  healthPath: 'BSO_HEALTH_PATH',
  healthRise: 'BSO_HEALTH_RISE',
} as const;

/** Environment variables the operator sets in the HAProxy container (read by its supervisor). */
export const SUPERVISOR_ENV = {
  name: 'BSO_HAPROXY_NAME',
  operatorUrl: 'BSO_OPERATOR_URL',
  tokenFile: 'BSO_OPERATOR_TOKEN_FILE',
  statsAuthFile: 'BSO_STATS_AUTH_FILE',
} as const;

export function ownerLabels(name: string, component: Component): Record<string, string> {
  return { [LABEL_OWNER]: name, [LABEL_COMPONENT]: component, [LABEL_MANAGED_BY]: MANAGED_BY };
}
