// What the operator records and shows about a BalancedService: its status (conditions, replicas,
// each server's HAProxy state and weight), what each HAProxy supervisor reported, and the config
// it serves. Types only; the reconciler fills them, the API, the CLI and metrics read them.
import type { Condition } from './conditions.js';
import type { InstanceStatus } from './instance-reports.js';
import type { RolloutStatus } from './rollout-progress.js';

export interface ServerStatus {
  name: string;
  address: string;
  state: string;
  weight: number;
  agent?: string;
  /** The replica in the server's slot: the Swarm task (`hello-api.1`) or the pod. */
  task?: string;
  /** Its container (the first 12 hex digits of the ID, as docker ps shows it). */
  container?: string;
  /** The replica's smoothed CPU and memory as shares of its limits, as its agent measured them (the supervisor's last report). */
  cpu?: number;
  memory?: number;
  /** Whether its agent answered HAProxy's last agent check (undefined: not known yet). */
  agentAnswered?: boolean;
  /** When the operator first saw the server in this state (ms since the epoch). */
  stateSince?: number;
}

/** What a supervisor reports about its HAProxy (PUT /v1/haproxy/NAME/status). */
export interface SupervisorReport {
  /** The HAProxy instance that reported (its host name). */
  instance?: string;
  configHash?: string;
  lastOutcome?: string;
  rejectedHash?: string;
  lastError?: string;
  lastReloadSeconds?: number;
  servers: ServerStatus[];
  /** The supervisor's panic guard (haproxy/supervisor/panic-runner.ts). */
  panicGuard?: { active: boolean; thresholdPercent: number; since?: string; held: Array<{ name: string; address: string }> };
  receivedAt: number;
}

export interface ServiceStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  configHash?: string;
  conditions: Condition[];
  servers: ServerStatus[];
  /** Each live HAProxy instance and its view of each server (absent from a supervisor that does not name itself). */
  instances?: InstanceStatus[];
  /** The replicas' rollout to the spec's revision (rollout-progress.ts). */
  rollout?: RolloutStatus;
}

export interface RenderedConfig { text: string; hash: string }

