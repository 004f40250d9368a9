// DesiredService <-> Docker Swarm ServiceSpec. Pure translation both ways: fromServiceSpec
// projects an observed service back onto the fields bso sets, so the planner can see drift.
import type Docker from 'dockerode';
import { sortFiles, type DesiredPlacement, type DesiredRollout, type DesiredService } from '../core/desired-state.js';
import { LABEL_SPEC_HASH } from '../../contract/names.js';
import { READINESS_PROBE, servingCheckCommand } from '../../contract/readiness.js';
import { placementOfConstraints, swarmConstraints } from '../core/swarm-constraints.js';
import { updateOrder } from '../core/swarm-rollout.js';

const NS_PER_MS = 1_000_000;

/**
 * On the service only (not its tasks): spec.rollout as written, since Swarm's UpdateConfig says it
 * only in part (Parallelism and Order) and the planner compares what bso set with what it wants.
 */
export const LABEL_ROLLOUT = 'bso.dev/rollout';
/** Between two batches of a rolling update (HAProxy: the API replicas wait rollout.admitMs), and how long Swarm watches a new task for failure. */
const UPDATE_DELAY_MS = 2000;
const UPDATE_MONITOR_MS = 10_000;

export interface SwarmIds {
  networkId(name: string): string;
  secretId(name: string): string;
  configId(name: string): string;
}

export function toServiceSpec(service: DesiredService, ids: SwarmIds): Docker.ServiceSpec {
  const secrets = service.files.filter((f) => f.source === 'secret');
  const configs = service.files.filter((f) => f.source === 'config');
  const isHAProxy = service.component === 'haproxy';
  const update = service.rollout ? swarmUpdate(service.rollout) : { Parallelism: 1, Order: isHAProxy ? 'stop-first' : 'start-first' };
  return {
    Name: service.name,
    Labels: service.rollout ? { ...service.labels, [LABEL_ROLLOUT]: rolloutLabel(service.rollout) } : service.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: service.image,
        Env: Object.entries(service.env).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`),
        // Tasks carry the owner labels but not the spec hash: a change of the hash alone (e.g. only
        // replicas changed) must not restart every task.
        Labels: withoutSpecHash(service.labels),
        StopGracePeriod: service.stopGracePeriodMs * NS_PER_MS,
        // The gate of a rolling update (contract/readiness.ts): Swarm holds a task in `starting`,
        // out of its DNS, until its healthcheck passes (the replica serves), and a start-first
        // update stops an old task only when its successor runs. Only API replicas have it.
        ...(service.rollout ? {
          Healthcheck: {
            Test: servingCheckCommand(),
            Interval: READINESS_PROBE.intervalMs * NS_PER_MS,
            Timeout: READINESS_PROBE.timeoutMs * NS_PER_MS,
            Retries: READINESS_PROBE.retries,
            StartPeriod: READINESS_PROBE.startPeriodMs * NS_PER_MS,
          },
        } : {}),
        Init: true,
        Secrets: secrets.map((f) => ({ SecretID: ids.secretId(f.name), SecretName: f.name, File: { Name: f.target, UID: '0', GID: '0', Mode: 0o444 } })),
        Configs: configs.map((f) => ({ ConfigID: ids.configId(f.name), ConfigName: f.name, File: { Name: f.target, UID: '0', GID: '0', Mode: 0o444 } })),
      },
      Resources: { Limits: { NanoCPUs: service.limits.nanoCpus, MemoryBytes: service.limits.memoryBytes } },
      RestartPolicy: { Condition: 'any', Delay: 2000 * NS_PER_MS, MaxAttempts: 0 },
      Placement: toPlacement(service.placement),
      Networks: service.networks.map((name) => ({ Target: ids.networkId(name) })),
    },
    Mode: { Replicated: { Replicas: service.replicas } },
    // HAProxy publishes host ports: a second task cannot start beside the first on the same node
    // (MaxReplicas 1 says so to the scheduler), so its update stops the old task first. A failed
    // update rolls back to the previous spec; the reconciler then holds the failed one
    // (operator/core/plan.ts) until the spec changes again.
    UpdateConfig: { ...update, Delay: (service.rollout?.admitMs ?? UPDATE_DELAY_MS) * NS_PER_MS, FailureAction: 'rollback', Monitor: UPDATE_MONITOR_MS * NS_PER_MS, MaxFailureRatio: 0 },
    RollbackConfig: { ...update, FailureAction: 'pause', Monitor: UPDATE_MONITOR_MS * NS_PER_MS, MaxFailureRatio: 0 },
    EndpointSpec: {
      Mode: service.endpointMode,
      Ports: service.ports.map((p) => ({ Protocol: 'tcp', TargetPort: p.target, PublishedPort: p.published, PublishMode: 'host' })),
    },
  };
}

/** The fields bso sets, read back from an observed service; undefined when it is not one of ours. */
export function fromServiceSpec(spec: Docker.ServiceSpec, networkName: (id: string) => string): DesiredService | undefined {
  const { [LABEL_ROLLOUT]: rolloutText, ...labels } = spec.Labels ?? {};
  const component = labels['bso.dev/component'];
  if (component !== 'api' && component !== 'haproxy') return undefined;
  const task = spec.TaskTemplate as Docker.TaskSpec & { ContainerSpec?: Docker.ContainerSpec };
  const container = task?.ContainerSpec ?? {};
  const env: Record<string, string> = {};
  for (const entry of container.Env ?? []) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const files: DesiredService['files'] = sortFiles([
    ...(container.Secrets ?? []).map((s) => ({ source: 'secret' as const, name: s.SecretName ?? '', target: s.File?.Name ?? '' })),
    ...(container.Configs ?? []).map((c) => ({ source: 'config' as const, name: c.ConfigName ?? '', target: c.File?.Name ?? '' })),
  ]);
  const limits = task?.Resources?.Limits ?? {};
  return {
    name: spec.Name ?? '',
    component,
    image: stripDigest(container.Image ?? ''),
    replicas: spec.Mode?.Replicated?.Replicas ?? 0,
    env,
    labels,
    limits: { nanoCpus: limits.NanoCPUs || undefined, memoryBytes: limits.MemoryBytes || undefined },
    endpointMode: (spec.EndpointSpec?.Mode ?? 'vip') as 'dnsrr',
    ports: (spec.EndpointSpec?.Ports ?? []).map((p) => ({ target: p.TargetPort ?? 0, published: p.PublishedPort ?? 0 })),
    networks: (task?.Networks ?? []).map((n) => networkName(n.Target ?? '')),
    files,
    placement: fromPlacement(task?.Placement ?? {}),
    stopGracePeriodMs: Math.round((container.StopGracePeriod ?? 0) / NS_PER_MS),
    ...rolloutOf(rolloutText, spec.UpdateConfig, container),
  };
}

function swarmUpdate(rollout: DesiredRollout): { Parallelism: number; Order: 'start-first' | 'stop-first' } {
  const { parallelism, order } = updateOrder(rollout);
  return { Parallelism: parallelism, Order: order };
}

function rolloutLabel(rollout: DesiredRollout): string {
  return `maxSurge=${rollout.maxSurge},maxUnavailable=${rollout.maxUnavailable}`;
}

/**
 * The rollout bso set, read back: its label, as long as the UpdateConfig and the healthcheck
 * still do what it says (someone who changed them changed the rollout: that is drift).
 */
function rolloutOf(text: string | undefined, update: Docker.ServiceSpec['UpdateConfig'], container: Docker.ContainerSpec): Pick<DesiredService, 'rollout'> {
  const match = /^maxSurge=(\d+),maxUnavailable=(\d+)$/.exec(text ?? '');
  if (!match) return {};
  const rollout = { maxSurge: Number(match[1]), maxUnavailable: Number(match[2]), admitMs: Math.round((update?.Delay ?? 0) / NS_PER_MS) };
  const order = swarmUpdate(rollout);
  const healthcheck = (container as { Healthcheck?: { Test?: string[] } }).Healthcheck;
  const intact = update?.Parallelism === order.Parallelism && update?.Order === order.Order
    && JSON.stringify(healthcheck?.Test) === JSON.stringify(servingCheckCommand());
  return intact ? { rollout } : { rollout: { ...rollout, maxSurge: -1 } };
}

/** Swarm placement: a constraint (managers, or a node label) and at most N tasks per node. */
function toPlacement(placement: DesiredPlacement): Docker.TaskSpec['Placement'] {
  const constraints = swarmConstraints(placement);
  return {
    ...(constraints.length ? { Constraints: constraints } : {}),
    ...(placement.maxPerNode ? { MaxReplicas: placement.maxPerNode } : {}),
  };
}

function fromPlacement(placement: NonNullable<Docker.TaskSpec['Placement']> & { MaxReplicas?: number }): DesiredPlacement {
  return { ...placementOfConstraints(placement.Constraints ?? []), ...(placement.MaxReplicas ? { maxPerNode: placement.MaxReplicas } : {}) };
}

/** Docker pins registry images to a digest (image:tag@sha256:...); the spec names image:tag. */
function stripDigest(image: string): string {
  const at = image.indexOf('@sha256:');
  return at > 0 && image.slice(0, at).includes(':') ? image.slice(0, at) : image;
}

function withoutSpecHash(labels: Record<string, string>): Record<string, string> {
  const { [LABEL_SPEC_HASH]: _hash, ...rest } = labels;
  return rest;
}
