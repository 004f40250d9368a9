// How the API replicas' Deployment rolls out a new revision (issue #18), both ways: the fields bso
// sets (the RollingUpdate from spec.rollout, the readinessProbe that is the rollout's gate, the
// progress deadline) and what it reads back from an observed Deployment (the rollout, unless
// someone changed one of those fields: that is drift; a revision Kubernetes gave up on). Pure.
//
// The gate: Kubernetes counts a new pod as available, and stops an old one, only once it is
// Ready, and the readinessProbe asks the replica's /readyz, which answers 200 once HAProxy has
// health-checked it `rise` times in a row (contract/readiness.ts). HAProxy sees pods before they
// are Ready (pod-endpoints.ts, publishNotReadyAddresses in service-objects.ts), or nothing would
// ever check them. Kubernetes never rolls back by itself: when no new pod becomes ready within
// the progress deadline, the Deployment controller says so (Progressing False,
// ProgressDeadlineExceeded), and with maxUnavailable 0 the old pods keep serving; the planner
// then holds the failed revision (operator/core/plan.ts) until the spec asks for another one.
import type { V1Deployment, V1DeploymentSpec, V1Probe } from '@kubernetes/client-node';
import type { DesiredRollout } from '../core/desired-state.js';
import type { FailedRevision } from '../core/rollout-progress.js';
import { LABEL_REVISION } from '../../contract/names.js';
import { READINESS_PATH, READINESS_PROBE } from '../../contract/readiness.js';

/**
 * How long a rollout of the API replicas may make no progress (no new pod Ready) before it counts
 * as failed. A new pod needs its image, its start, and HAProxy's `rise` health checks (or
 * UNCHECKED_READY_AFTER_MS, 30 s, with no HAProxy): 120 s leaves room for a slow image pull while
 * a broken version is reported within two minutes. Kubernetes' own default is 600 s.
 */
export const PROGRESS_DEADLINE_SECONDS = 120;

/** The readinessProbe's port: the container port named http (deployment-spec.ts containerPorts). */
export const READINESS_PORT_NAME = 'http';

/** The readinessProbe of every API replica: GET /readyz, READINESS_PROBE's timings, no initial delay. */
export function readinessProbe(): V1Probe {
  return {
    httpGet: { path: READINESS_PATH, port: READINESS_PORT_NAME },
    periodSeconds: READINESS_PROBE.intervalMs / 1000,
    timeoutSeconds: READINESS_PROBE.timeoutMs / 1000,
    failureThreshold: READINESS_PROBE.retries,
  };
}

/** The Deployment spec fields of a rollout: the strategy and the progress deadline. */
export function rolloutFields(rollout: DesiredRollout): Pick<V1DeploymentSpec, 'strategy' | 'progressDeadlineSeconds'> {
  return {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: rollout.maxSurge, maxUnavailable: rollout.maxUnavailable } },
    progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS,
  };
}

/**
 * The fields of a rollout a Deployment has no place for (what the Swarm backend needs besides
 * maxSurge and maxUnavailable): deployment-spec.ts keeps them in its unmapped-fields annotation.
 */
export type RolloutExtra = Omit<DesiredRollout, 'maxSurge' | 'maxUnavailable'>;

export function rolloutExtraOf(rollout: DesiredRollout): RolloutExtra {
  const { maxSurge: _surge, maxUnavailable: _unavailable, ...extra } = rollout;
  return extra;
}

/**
 * The rollout bso set on an API Deployment, read back: its RollingUpdate (with `extra` from the
 * annotation), as long as the readinessProbe and the progress deadline are bso's (fields the API
 * server defaults, such as the probe's scheme and successThreshold, are not compared). Anything
 * else, or no extra, reads as what no spec.rollout can be (-1), so that it is drift.
 */
export function rolloutOf(spec: V1DeploymentSpec | undefined, containerName: string, extra: RolloutExtra | undefined): DesiredRollout {
  const changed = { ...extra, maxSurge: -1, maxUnavailable: -1 } as DesiredRollout;
  const rolling = spec?.strategy?.rollingUpdate;
  const [maxSurge, maxUnavailable] = [rolling?.maxSurge, rolling?.maxUnavailable];
  if (!extra || (spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate' || !isCount(maxSurge) || !isCount(maxUnavailable)) return changed;
  if (spec?.progressDeadlineSeconds !== PROGRESS_DEADLINE_SECONDS) return changed;
  const containers = spec?.template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === containerName) ?? containers[0];
  return probeIsOurs(container?.readinessProbe) ? { ...extra, maxSurge, maxUnavailable } : changed;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function probeIsOurs(probe: V1Probe | undefined): boolean {
  if (!probe) return false;
  const wanted = readinessProbe();
  const { httpGet } = probe;
  if (!httpGet) return false;
  return httpGet.path === wanted.httpGet!.path && httpGet.port === wanted.httpGet!.port && (httpGet.scheme ?? 'HTTP') === 'HTTP' && !httpGet.host
    && probe.periodSeconds === wanted.periodSeconds && probe.timeoutSeconds === wanted.timeoutSeconds && probe.failureThreshold === wanted.failureThreshold
    && (probe.initialDelaySeconds ?? 0) === 0 && (probe.successThreshold ?? 1) === 1 && !probe.exec && !probe.tcpSocket;
}

/**
 * The revision Kubernetes gave up on: the Deployment's condition Progressing is False with reason
 * ProgressDeadlineExceeded for its current template (status.observedGeneration is its generation:
 * a condition about an older template says nothing about this one). The revision is the pod
 * template's LABEL_REVISION.
 */
export function failedRevisionOf(deployment: V1Deployment): FailedRevision | undefined {
  const status = deployment.status;
  if (status?.observedGeneration === undefined || status.observedGeneration !== deployment.metadata?.generation) return undefined;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status !== 'False' || progressing.reason !== 'ProgressDeadlineExceeded') return undefined;
  const revision = deployment.spec?.template?.metadata?.labels?.[LABEL_REVISION];
  if (!revision) return undefined;
  const seconds = deployment.spec?.progressDeadlineSeconds ?? PROGRESS_DEADLINE_SECONDS;
  return { revision, message: `no new pod became ready within the Deployment's progress deadline (${seconds} s, ProgressDeadlineExceeded): ${progressing.message ?? 'no message'}` };
}
