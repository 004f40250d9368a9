// Where the replicas' rollout stands: the revision the spec asks for, the running replicas of it
// and of older ones, and which of the new ones HAProxy serves. What `bso rollout status` follows
// and status.rollout shows. Pure.
import type { BalancedServiceStatusRollout } from '../../crd/types.generated.js';
import type { TaskInfo } from '../backend.js';
import type { ServerStatus } from './service-status.js';

export type RolloutStatus = BalancedServiceStatusRollout;

/** The orchestrator gave up on a revision: Swarm rolled it back, Kubernetes' progress deadline passed. */
export interface FailedRevision { revision: string; message: string }

export interface RolloutFacts {
  /** The revision the spec asks for (LABEL_REVISION of the desired API service). */
  revision: string;
  replicas: number;
  /** The API replicas' tasks (pods) with desired state running, with the revision each was made with. */
  tasks: readonly TaskInfo[];
  /** HAProxy's servers with the task in their slot (server-placement.ts). */
  servers: ReadonlyArray<Pick<ServerStatus, 'state' | 'task'>>;
  failed?: FailedRevision;
}

export function rolloutProgress(facts: RolloutFacts): RolloutStatus {
  const running = facts.tasks.filter((t) => t.state === 'running');
  const updated = running.filter((t) => t.revision === facts.revision);
  const old = running.filter((t) => t.revision !== facts.revision);
  const updatedNames = new Set(updated.map((t) => t.name));
  const updatedServing = facts.servers.filter((s) => s.task !== undefined && updatedNames.has(s.task) && s.state !== 'DOWN').length;
  const counts = { revision: facts.revision, updatedReplicas: updated.length, updatedServing, oldReplicas: old.length };
  if (facts.failed && facts.failed.revision === facts.revision) {
    return { ...counts, state: 'Failed', message: `revision ${facts.revision} failed and was stopped; ${old.length} replica${old.length === 1 ? '' : 's'} of the previous revision serve: ${facts.failed.message}` };
  }
  const complete = updated.length === facts.replicas && old.length === 0 && updatedServing >= facts.replicas;
  if (complete) return { ...counts, state: 'Complete', message: `${facts.replicas} of ${facts.replicas} replicas run revision ${facts.revision} and serve` };
  const starting = facts.tasks.filter((t) => t.state !== 'running' && t.revision === facts.revision).length;
  const parts = [
    `${updated.length} of ${facts.replicas} replicas run revision ${facts.revision}`,
    `${updatedServing} of them serve in HAProxy`,
    ...(starting > 0 ? [`${starting} starting`] : []),
    ...(old.length > 0 ? [`${old.length} of an older revision still run`] : []),
  ];
  return { ...counts, state: 'Progressing', message: parts.join(', ') };
}
