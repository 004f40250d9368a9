// Generated from crd/balancedservice.schema.json by `npm run generate`. Do not edit.
// BalancedService: a spec as loaded (every default filled in).

/**
 * A service whose replicas are load-balanced by HAProxy using each replica's own CPU and memory, reported through HAProxy's agent-check.
 */
export interface BalancedService {
  /**
   * API version of this object.
   */
  apiVersion: "bso.dev/v1alpha1";
  /**
   * Always BalancedService.
   */
  kind: "BalancedService";
  metadata: BalancedServiceMetadata;
  spec: BalancedServiceSpec;
  status?: BalancedServiceStatus;
}
/**
 * Identity of the object.
 */
export interface BalancedServiceMetadata {
  /**
   * Name of the service: a DNS-1123 label of at most 40 characters starting with a letter, so that derived names (NAME-haproxy, NAME-stats-auth) stay valid DNS labels.
   */
  name: string;
  /**
   * Kubernetes namespace (ignored on Swarm).
   */
  namespace?: string;
  /**
   * Labels copied onto every object bso creates for this service.
   */
  labels?: {
    [k: string]: string | undefined;
  };
  /**
   * Free-form annotations, kept with the spec.
   */
  annotations?: {
    [k: string]: string | undefined;
  };
}
/**
 * The desired state.
 */
export interface BalancedServiceSpec {
  /**
   * Container image of the API replicas (a Docker image reference). The image must run bso-api or embed its agent.
   */
  image: string;
  /**
   * Number of API replicas.
   */
  replicas: number;
  /**
   * TCP port the API listens on inside each replica.
   */
  port: number;
  /**
   * Extra environment variables for the API replicas (names: letters, digits and '_').
   */
  env?: {
    [k: string]: string | undefined;
  };
  resources: BalancedServiceSpecResources;
  rollout: BalancedServiceSpecRollout;
  healthCheck: BalancedServiceSpecHealthCheck;
  agent: BalancedServiceSpecAgent;
  haproxy: BalancedServiceSpecHaproxy;
}
/**
 * Limits of each replica's container. The agent measures load relative to these limits.
 */
export interface BalancedServiceSpecResources {
  /**
   * CPU limit in cores (at most 3 decimals).
   */
  cpus: number;
  /**
   * Memory limit, e.g. 256Mi, 1Gi, 512M (at least 6Mi).
   */
  memory: string;
}
/**
 * How a change of the replicas' image, env or resources rolls out: replica by replica, each new one serving in HAProxy (its health checks passed healthCheck.rise times) before an old one stops, each old one drained through its agent first. A new version whose replicas fail to start stops the rollout: the old replicas keep serving and the status says Degraded (RolloutFailed). docs/rollouts.md.
 */
export interface BalancedServiceSpecRollout {
  /**
   * How many replicas above spec.replicas may run while rolling out (new ones started before old ones stop).
   */
  maxSurge: number;
  /**
   * How many of spec.replicas may be missing while rolling out (old ones stopped before their successors serve). On Swarm a rollout either starts new replicas first (maxSurge above 0: that many at a time, none missing) or stops old ones first (maxSurge 0: maxUnavailable at a time).
   */
  maxUnavailable: number;
}
/**
 * HAProxy's HTTP health check of each replica's API.
 */
export interface BalancedServiceSpecHealthCheck {
  /**
   * Path requested by the health check.
   */
  path: string;
  /**
   * Time between health checks.
   */
  interval: string;
  /**
   * Consecutive failed checks before a replica is DOWN.
   */
  fall: number;
  /**
   * Consecutive passed checks before a replica is UP again.
   */
  rise: number;
}
/**
 * The agent-check server embedded in each replica.
 */
export interface BalancedServiceSpecAgent {
  /**
   * TCP port of the agent inside each replica.
   */
  port: number;
  /**
   * How often HAProxy asks the agent (agent-inter): how soon a change of weight, concurrency or state takes effect.
   */
  interval: string;
  /**
   * What the agent measures: cpu, memory, or the max of both, each relative to the container's limit.
   */
  metric: "cpu" | "memory" | "max";
  thresholds: BalancedServiceSpecAgentThresholds;
  /**
   * How often the agent samples its cgroup (independent of HAProxy's checks).
   */
  sampleInterval: string;
  /**
   * Time constant of the exponentially weighted moving average applied to samples: one spike shorter than this does not drain a replica.
   */
  smoothing: string;
  /**
   * Minimum time a replica stays in maint once it entered it, so it does not flap.
   */
  minMaintTime: string;
  /**
   * How a ready replica's weight is found: proportional reports its capacity (the share of its CPU not taken by other work, times its CPUs over spec.resources.cpus, lowered when its service time rises above its own baseline) and the requests it takes at once (maxconn); binary always answers ready 100% and acts on the whole container's CPU (the proof of concept's agent).
   */
  weighting: "proportional" | "binary";
}
/**
 * Hysteresis thresholds of overload, in percent of the container's limit. The load they act on is what the replica does not control: CPU used in its container by anything but its own server process (with weighting proportional; the whole container's CPU with binary), and/or memory (metric). The replica's own request work lowers its weight and concurrency instead, so replicas carrying their share never go to maint.
 */
export interface BalancedServiceSpecAgentThresholds {
  /**
   * At or above this load the agent answers maint (the replica gets no new traffic).
   */
  maint: number;
  /**
   * At or below this load a replica in maint is ready again. Must be lower than maint.
   */
  ready: number;
}
/**
 * The HAProxy in front of the replicas.
 */
export interface BalancedServiceSpecHaproxy {
  /**
   * Image of the HAProxy container (HAProxy 2.6+ with the bso supervisor).
   */
  image: string;
  /**
   * How many HAProxy instances serve this service, each on a node of its own (Swarm: one task per eligible node, see nodeLabel, its ports published on that node; Kubernetes: pods kept apart by anti-affinity, with a PodDisruptionBudget). Every instance gets the same config, checks every replica itself and reports to the operator; a replica's maxconnPerServer is shared among the instances. Clients reach them by DNS with several A records, an external load balancer or a floating address (docs/several-nodes.md).
   */
  replicas: number;
  /**
   * The nodes that may run HAProxy, as a node label key=value (Swarm: the constraint node.labels.KEY == VALUE, set with docker node update --label-add KEY=VALUE NODE; Kubernetes: a nodeSelector). When empty, HAProxy runs on Swarm's managers, and on any node of Kubernetes.
   */
  nodeLabel?: string;
  /**
   * Port on which HAProxy serves the API (published on the host).
   */
  port: number;
  /**
   * Port of HAProxy's stats page (/stats, basic auth) and Prometheus exporter (/metrics).
   */
  statsPort: number;
  /**
   * HAProxy's balancing algorithm among ready replicas: random (power of two choices: of two replicas drawn by weight, the one with fewer requests in flight per weight; honours the agents' weights at every load), roundrobin (weighted), or leastconn (fewest connections; ignores weights while replicas are idle).
   */
  balance: "random" | "roundrobin" | "leastconn";
  /**
   * The most requests HAProxy may have in flight to one replica; more wait in HAProxy's bounded queue. Each agent lowers it to what its replica serves usefully at once (maxconn: in its reply); this is the ceiling and the value before the agent answers (0 = unlimited, and the agents send no limit).
   */
  maxconnPerServer: number;
  /**
   * How long a replica that comes back takes to reach its full weight (0s disables).
   */
  slowstart: string;
  /**
   * Panic guard, in percent of the replicas: when overload (agent maint) would leave fewer than this share serving, the least-loaded overloaded replicas keep serving until enough are ready again, and the Degraded condition says so. 0 disables the guard (then HAProxy answers 503 when every replica is in maint).
   */
  panicThreshold: number;
  /**
   * How often HAProxy retries a failed connection or idempotent request on another replica.
   */
  retries: number;
  timeouts: BalancedServiceSpecHaproxyTimeouts;
  /**
   * Name of a Docker secret or Kubernetes Secret holding the stats page credentials as 'user:password'. When empty, bso generates credentials and stores them in the secret NAME-stats-auth.
   */
  statsSecret?: string;
}
/**
 * HAProxy timeouts.
 */
export interface BalancedServiceSpecHaproxyTimeouts {
  /**
   * Connecting to a replica.
   */
  connect: string;
  /**
   * Client inactivity.
   */
  client: string;
  /**
   * Replica inactivity (the longest a request may take).
   */
  server: string;
  /**
   * Longest time a request waits in HAProxy's queue for a free replica slot; then it is refused with 503 and Retry-After.
   */
  queue: string;
}
/**
 * Observed state, written by the operator. A spec file must not contain it.
 */
export interface BalancedServiceStatus {
  observedGeneration?: number;
  /**
   * Desired replicas.
   */
  replicas?: number;
  /**
   * Replicas UP in HAProxy.
   */
  readyReplicas?: number;
  /**
   * Hash of the HAProxy config being served.
   */
  configHash?: string;
  conditions?: BalancedServiceStatusCondition[];
  servers?: BalancedServiceStatusServer[];
  /**
   * While several HAProxy instances report (spec.haproxy.replicas): each one and its own view of each server; servers above is their combined view (the worst state any instance sees).
   */
  instances?: BalancedServiceStatusInstance[];
  rollout?: BalancedServiceStatusRollout;
}
export interface BalancedServiceStatusCondition {
  type: "Ready" | "Progressing" | "Degraded";
  status: "True" | "False" | "Unknown";
  reason: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}
export interface BalancedServiceStatusServer {
  name: string;
  address?: string;
  state: "UP" | "MAINT" | "DRAIN" | "DOWN" | "NOLB" | "UNKNOWN";
  weight: number;
  /**
   * HAProxy's last agent-check status for the server.
   */
  agent?: string;
  /**
   * Whether the server's agent answered HAProxy's last agent check (absent until HAProxy has checked it).
   */
  agentAnswered?: boolean;
  /**
   * The replica's smoothed CPU use as a share of its limit, as its agent measured it (the supervisor's last report).
   */
  cpu?: number;
  /**
   * The replica's memory use as a share of its limit, as its agent measured it.
   */
  memory?: number;
  /**
   * The replica in the server's slot: the Swarm task (hello-api.1) or the pod.
   */
  task?: string;
  /**
   * Its container ID (12 hex digits, as docker ps shows it).
   */
  container?: string;
  /**
   * When the operator first saw the server in this state (milliseconds since the epoch).
   */
  stateSince?: number;
}
export interface BalancedServiceStatusInstance {
  /**
   * The instance's host name: the Swarm task's container or the pod.
   */
  name: string;
  /**
   * Hash of the HAProxy config this instance serves.
   */
  configHash?: string;
  /**
   * When the operator last heard from it (an instance silent for 12 s is dropped). In the operator's API and bso describe; not written on the Kubernetes resource, where it would change at every report.
   */
  reportedAt?: string;
  servers: BalancedServiceStatusInstanceServer[];
}
export interface BalancedServiceStatusInstanceServer {
  name: string;
  address?: string;
  state: "UP" | "MAINT" | "DRAIN" | "DOWN" | "NOLB" | "UNKNOWN";
  weight: number;
}
/**
 * The replicas' rollout to the spec's revision (bso rollout status NAME follows it).
 */
export interface BalancedServiceStatusRollout {
  /**
   * The revision the spec asks for: a hash of the replicas' image, env, resources and files; each replica carries the label bso.dev/revision it was made with.
   */
  revision: string;
  /**
   * Complete: every replica runs the revision and serves in HAProxy, none of an older one runs. Failed: the orchestrator gave up on it (Swarm rolled back, Kubernetes' progress deadline passed); the old replicas serve.
   */
  state: "Progressing" | "Complete" | "Failed";
  /**
   * Running replicas of the revision.
   */
  updatedReplicas: number;
  /**
   * Of those, how many HAProxy sends requests (a server not DOWN, with the replica's address).
   */
  updatedServing: number;
  /**
   * Running replicas of another revision.
   */
  oldReplicas: number;
  message: string;
}
