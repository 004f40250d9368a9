// The agent's state machine: what a replica tells HAProxy, given its smoothed load.
//
//   draining                                        -> drain (final)
//   ready and load >= maint                         -> maint
//   maint and load <= ready and in maint >= minimum -> ready
//   anything else                                   -> the previous state
//
// While ready the reply carries a weight from computeReadyWeight. Pure: time comes in as data.
import { computeReadyWeight } from './weight.js';

export type AgentState = 'ready' | 'maint' | 'drain';
/** proportional: the weight falls as load nears maint; binary: ready is always 100% (the seed's agent). */
export type Weighting = 'proportional' | 'binary';
export const AGENT_STATES: readonly AgentState[] = ['ready', 'maint', 'drain'];

export interface AgentPolicy {
  /** Percent of the limit at or above which the replica goes to maint. */
  maintAt: number;
  /** Percent of the limit at or below which a replica in maint is ready again. */
  readyAt: number;
  /** Least time a replica stays in maint once it entered it. */
  minMaintMs: number;
  /** How a ready replica's weight follows its load (default proportional). */
  weighting?: Weighting;
}

export interface AgentInput {
  /** Smoothed load in percent of the container's limit (may exceed 100). */
  loadPercent: number;
  nowMs: number;
  /** True once shutdown began. */
  draining: boolean;
}

export interface AgentDecision {
  state: AgentState;
  /** Weight in percent of the server's configured weight; 0 unless ready. */
  weightPercent: number;
  /** When the replica entered this state. */
  sinceMs: number;
  /** The line sent to HAProxy, newline included. */
  reply: string;
}

export function decideAgentReply(previous: AgentDecision | undefined, input: AgentInput, policy: AgentPolicy): AgentDecision {
  const before = previous?.state ?? 'ready';
  const state = nextState(before, previous, input, policy);
  const sinceMs = previous && state === before ? previous.sinceMs : input.nowMs;
  const weightPercent = state !== 'ready' ? 0 : policy.weighting === 'binary' ? 100 : computeReadyWeight(input.loadPercent, policy.maintAt);
  return { state, weightPercent, sinceMs, reply: formatAgentReply(state, weightPercent, input.loadPercent) };
}

function nextState(before: AgentState, previous: AgentDecision | undefined, input: AgentInput, policy: AgentPolicy): AgentState {
  if (input.draining || before === 'drain') return 'drain';
  const load = input.loadPercent;
  if (before === 'ready') return load >= policy.maintAt ? 'maint' : 'ready';
  const inMaintMs = input.nowMs - (previous?.sinceMs ?? input.nowMs);
  return load <= policy.readyAt && inMaintMs >= policy.minMaintMs ? 'ready' : 'maint';
}

/**
 * HAProxy's agent protocol: one ASCII line. `ready` also lifts a maint or drain set by the agent.
 * `maint` carries the load after `#` (HAProxy ignores it; the supervisor's panic guard ranks
 * overloaded replicas by it): `maint #load=93`.
 */
export function formatAgentReply(state: AgentState, weightPercent: number, loadPercent?: number): string {
  if (state === 'ready') return `ready ${weightPercent}%\n`;
  if (state === 'maint' && loadPercent !== undefined && Number.isFinite(loadPercent)) return `maint #load=${Math.min(9999, Math.max(0, Math.round(loadPercent)))}\n`;
  return `${state}\n`;
}
