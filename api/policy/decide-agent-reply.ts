// The agent's state machine: what a replica tells HAProxy, given its smoothed pressure.
//
//   draining                                            -> drain (final)
//   ready and pressure >= maint                         -> maint
//   maint and pressure <= ready and in maint >= minimum -> ready
//   anything else                                       -> the previous state
//
// Pressure is what the replica does not control (api/policy/agent-step.ts says what it is per
// weighting). While ready the reply carries a weight (the replica's capacity, from
// api/policy/capacity.ts, or 100 % for binary weighting) and, when a concurrency is known, the
// most requests HAProxy may have in flight to it. Pure: time comes in as data.
import { formatAgentReply, type AgentState } from '../../contract/agent-reply.js';
import { computeReadyWeight } from './weight.js';

export { AGENT_STATES, formatAgentReply, type AgentState } from '../../contract/agent-reply.js';

/**
 * proportional: the weight is the replica's capacity (foreign CPU, memory headroom, service
 * time) and the reply carries a concurrency; binary: ready is always 100 % (the seed's agent).
 */
export type Weighting = 'proportional' | 'binary';

export interface AgentPolicy {
  /** Percent of the limit at or above which the replica goes to maint. */
  maintAt: number;
  /** Percent of the limit at or below which a replica in maint is ready again. */
  readyAt: number;
  /** Least time a replica stays in maint once it entered it. */
  minMaintMs: number;
  /** How a ready replica's weight is found (default proportional). */
  weighting?: Weighting;
}

export interface AgentInput {
  /** Smoothed pressure in percent of the container's limit (may exceed 100). */
  loadPercent: number;
  nowMs: number;
  /** True once shutdown began. */
  draining: boolean;
  /** The weight a ready replica reports (proportional weighting); default: its headroom below maint. */
  weightPercent?: number;
  /** Most requests in flight for one HAProxy (0 or undefined: none sent). */
  concurrency?: number;
}

export interface AgentDecision {
  state: AgentState;
  /** Weight in percent of the server's configured weight; 0 unless ready. */
  weightPercent: number;
  /** Requests in flight the replica takes in all (0 = no limit sent); shared among the HAProxy instances that ask. */
  concurrency: number;
  /** When the replica entered this state. */
  sinceMs: number;
  /** The pressure the decision saw, percent. */
  loadPercent: number;
  /** The line sent to a single HAProxy, newline included (agent-server.ts divides the concurrency among several). */
  reply: string;
}

export function decideAgentReply(previous: AgentDecision | undefined, input: AgentInput, policy: AgentPolicy): AgentDecision {
  const before = previous?.state ?? 'ready';
  const state = nextState(before, previous, input, policy);
  const sinceMs = previous && state === before ? previous.sinceMs : input.nowMs;
  const binary = policy.weighting === 'binary';
  const weightPercent = state !== 'ready' ? 0 : binary ? 100 : input.weightPercent ?? computeReadyWeight(input.loadPercent, policy.maintAt);
  const concurrency = state === 'ready' && !binary ? Math.max(0, input.concurrency ?? 0) : 0;
  return { state, weightPercent, concurrency, sinceMs, loadPercent: input.loadPercent, reply: formatAgentReply(state, weightPercent, input.loadPercent, concurrency) };
}

function nextState(before: AgentState, previous: AgentDecision | undefined, input: AgentInput, policy: AgentPolicy): AgentState {
  if (input.draining || before === 'drain') return 'drain';
  const load = input.loadPercent;
  if (before === 'ready') return load >= policy.maintAt ? 'maint' : 'ready';
  const inMaintMs = input.nowMs - (previous?.sinceMs ?? input.nowMs);
  return load <= policy.readyAt && inMaintMs >= policy.minMaintMs ? 'ready' : 'maint';
}

/** The reply for one of `instances` HAProxy instances: each gets its share of the concurrency, rounded up. */
export function replyForInstances(decision: AgentDecision, instances: number): string {
  if (decision.state !== 'ready' || decision.concurrency <= 0 || instances <= 1) return decision.reply;
  return formatAgentReply(decision.state, decision.weightPercent, decision.loadPercent, Math.ceil(decision.concurrency / instances));
}
