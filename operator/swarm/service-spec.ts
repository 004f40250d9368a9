// DesiredService <-> Docker Swarm ServiceSpec. Pure translation both ways: fromServiceSpec
// projects an observed service back onto the fields bso sets, so the planner can see drift.
import type Docker from 'dockerode';
import { sortFiles, type DesiredPlacement, type DesiredService } from '../core/desired-state.js';
import { LABEL_SPEC_HASH } from '../../contract/names.js';
import { placementOfConstraints, swarmConstraints } from '../core/swarm-constraints.js';

const NS_PER_MS = 1_000_000;

export interface SwarmIds {
  networkId(name: string): string;
  secretId(name: string): string;
  configId(name: string): string;
}

export function toServiceSpec(service: DesiredService, ids: SwarmIds): Docker.ServiceSpec {
  const secrets = service.files.filter((f) => f.source === 'secret');
  const configs = service.files.filter((f) => f.source === 'config');
  const isHAProxy = service.component === 'haproxy';
  return {
    Name: service.name,
    Labels: service.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: service.image,
        Env: Object.entries(service.env).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`),
        // Tasks carry the owner labels but not the spec hash: a change of the hash alone (e.g. only
        // replicas changed) must not restart every task.
        Labels: withoutSpecHash(service.labels),
        StopGracePeriod: service.stopGracePeriodMs * NS_PER_MS,
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
    // (MaxReplicas 1 says so to the scheduler), so its update stops the old task first.
    UpdateConfig: { Parallelism: 1, Delay: 2000 * NS_PER_MS, FailureAction: 'rollback', Monitor: 10_000 * NS_PER_MS, Order: isHAProxy ? 'stop-first' : 'start-first' },
    RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 10_000 * NS_PER_MS, Order: isHAProxy ? 'stop-first' : 'start-first' },
    EndpointSpec: {
      Mode: service.endpointMode,
      Ports: service.ports.map((p) => ({ Protocol: 'tcp', TargetPort: p.target, PublishedPort: p.published, PublishMode: 'host' })),
    },
  };
}

/** The fields bso sets, read back from an observed service; undefined when it is not one of ours. */
export function fromServiceSpec(spec: Docker.ServiceSpec, networkName: (id: string) => string): DesiredService | undefined {
  const labels = spec.Labels ?? {};
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
  };
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
