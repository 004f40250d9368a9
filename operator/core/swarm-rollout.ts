// spec.rollout in Swarm's terms, shared by the operator (operator/swarm/service-spec.ts) and
// `bso render stack` (compose-stack.ts): Swarm updates either start new tasks first or stop old
// ones first, a number at a time. Pure.
import type { DesiredRollout } from './desired-state.js';

export interface SwarmUpdateOrder { parallelism: number; order: 'start-first' | 'stop-first' }

/** New tasks first, maxSurge at a time (none missing); or, with maxSurge 0, old ones first, maxUnavailable at a time. */
export function updateOrder(rollout: DesiredRollout): SwarmUpdateOrder {
  return rollout.maxSurge > 0 ? { parallelism: rollout.maxSurge, order: 'start-first' } : { parallelism: rollout.maxUnavailable, order: 'stop-first' };
}
