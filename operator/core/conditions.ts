// Observed facts about one BalancedService -> its status conditions (Ready, Progressing,
// Degraded) with CamelCase reasons and human messages, like Kubernetes API conventions. Pure.

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

export const REASONS = {
  allReplicasReady: 'AllReplicasReady',
  replicasNotReady: 'ReplicasNotReady',
  haproxyNotReady: 'HAProxyNotReady',
  configNotApplied: 'ConfigNotApplied',
  rollingOut: 'RollingOut',
  converged: 'Converged',
  asExpected: 'AsExpected',
  foreignObject: 'ForeignObject',
  portTaken: 'PortTaken',
  configRejected: 'ConfigRejected',
  allServersInMaint: 'AllServersInMaint',
  panicGuard: 'PanicGuard',
  backendError: 'BackendError',
  /** The orchestrator's API cannot be reached (Docker down, socket gone): retried with backoff. */
  backendUnavailable: 'BackendUnavailable',
  specInvalid: 'SpecInvalid',
  /** The orchestrator gave up on the replicas' new revision; the previous one serves. */
  rolloutFailed: 'RolloutFailed',
} as const;

export interface StatusFacts {
  generation: number;
  desiredReplicas: number;
  runningReplicas: number;
  haproxyRunning: boolean;
  /** Hash of the config the operator serves, and of the one the supervisor reports as applied. */
  configHash?: string;
  appliedConfigHash?: string;
  /** Servers as HAProxy reports them (only slots with a replica behind them). */
  servers: Array<{ state: string }>;
  /** Terminal problems (foreign objects, ports taken, invalid spec) and the transient error, if any. */
  blocking: Array<{ reason: string; message: string }>;
  rejectedConfig?: string;
  transientError?: string;
  /** The replicas' rollout (rollout-progress.ts): what is left while it progresses, why it failed. */
  rollout?: { state: 'Progressing' | 'Complete' | 'Failed'; message: string };
  /** The supervisor's panic guard, while it keeps overloaded servers in service. */
  panicGuard?: { active: boolean; held: readonly string[]; thresholdPercent: number };
}

export function conditionsFor(facts: StatusFacts, previous: readonly Condition[], now: string): Condition[] {
  const up = facts.servers.filter((s) => s.state === 'UP').length;
  const maint = facts.servers.filter((s) => s.state === 'MAINT').length;
  const configApplied = facts.configHash !== undefined && facts.configHash === facts.appliedConfigHash;
  // At least: while a rollout surges, new replicas run beside the old ones.
  const replicasOk = facts.runningReplicas >= facts.desiredReplicas;

  let ready: [ConditionStatus, string, string];
  if (facts.blocking.length > 0) ready = ['False', facts.blocking[0]!.reason, facts.blocking[0]!.message];
  else if (!facts.haproxyRunning) ready = ['False', REASONS.haproxyNotReady, 'the HAProxy service has no running task'];
  else if (!configApplied) ready = ['False', REASONS.configNotApplied, 'HAProxy has not confirmed the current configuration yet'];
  else if (!replicasOk || (facts.desiredReplicas > 0 && up === 0)) {
    ready = ['False', REASONS.replicasNotReady, `${facts.runningReplicas}/${facts.desiredReplicas} replicas running, ${up} UP in HAProxy`];
  } else ready = ['True', REASONS.allReplicasReady, `${facts.runningReplicas}/${facts.desiredReplicas} replicas running, ${up} UP in HAProxy`];

  const rolloutFailed = facts.rollout?.state === 'Failed';
  const rollingOut = facts.rollout?.state === 'Progressing';
  let progressing: [ConditionStatus, string, string];
  if (facts.blocking.length > 0) progressing = ['False', REASONS.converged, 'blocked; see Degraded'];
  else if (rolloutFailed) progressing = ['False', REASONS.rolloutFailed, facts.rollout!.message];
  else if (!replicasOk || !configApplied || !facts.haproxyRunning || rollingOut) {
    progressing = ['True', REASONS.rollingOut, rollingOut
      ? `rolling out: ${facts.rollout!.message}${configApplied ? '' : ', HAProxy config pending'}`
      : `converging: ${facts.runningReplicas}/${facts.desiredReplicas} replicas running${configApplied ? '' : ', HAProxy config pending'}`];
  } else progressing = ['False', REASONS.converged, 'the cluster matches the spec'];

  let degraded: [ConditionStatus, string, string] = ['False', REASONS.asExpected, 'no problems'];
  if (facts.blocking.length > 0) degraded = ['True', facts.blocking[0]!.reason, facts.blocking.map((b) => b.message).join('; ')];
  else if (rolloutFailed) degraded = ['True', REASONS.rolloutFailed, `${facts.rollout!.message}; apply a spec with another image, env or resources to roll out again`];
  else if (facts.rejectedConfig) degraded = ['True', REASONS.configRejected, `HAProxy rejected the new configuration and keeps the previous one: ${facts.rejectedConfig}`];
  else if (facts.transientError) degraded = ['True', REASONS.backendError, facts.transientError];
  else if (facts.panicGuard?.active) {
    const g = facts.panicGuard;
    degraded = ['True', REASONS.panicGuard, `panic guard: too few replicas would serve (threshold ${g.thresholdPercent}%); keeping the least-loaded overloaded ones in service: ${g.held.join(', ')}`];
  } else if (facts.servers.length > 0 && maint === facts.servers.length) degraded = ['True', REASONS.allServersInMaint, `all ${maint} replicas report overload (maint)`];

  const make = (type: ConditionType, [status, reason, message]: [ConditionStatus, string, string]): Condition => {
    const before = previous.find((c) => c.type === type);
    const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
    return { type, status, reason, message, lastTransitionTime, observedGeneration: facts.generation };
  };
  return [make('Ready', ready), make('Progressing', progressing), make('Degraded', degraded)];
}
