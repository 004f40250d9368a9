// spec -> the objects that should exist for it, independent of the orchestrator. Pure.
// The Swarm and Kubernetes backends translate these into their own objects.
import type { BalancedService } from '../../crd/types.generated.js';
import { durationMs } from '../../crd/duration.js';
import { memoryBytes } from '../../crd/quantity.js';
import {
  AGENT_ENV, SUPERVISOR_ENV, LABEL_METRICS_PORT, LABEL_REVISION, LABEL_SPEC_HASH, apiServiceName, haproxyServiceName, networkName, ownerLabels, statsSecretName,
  type Component,
} from '../../contract/names.js';
import { specHash } from './spec-hash.js';
import { RESOLVE_EVERY_MS } from '../../haproxy/render/build-model.js';

/** How long a stopping replica lets in-flight requests finish. */
export const SHUTDOWN_TIMEOUT_MS = 5000;

export interface DesiredPort { target: number; published: number }

export interface DesiredService {
  name: string;
  component: Extract<Component, 'api' | 'haproxy'>;
  image: string;
  replicas: number;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** CPU limit in nano-CPUs and memory limit in bytes (undefined: no limit). */
  limits: { nanoCpus?: number; memoryBytes?: number };
  /** Replicas are found by DNS (dnsrr): HAProxy balances, not IPVS. */
  endpointMode: 'dnsrr';
  /** Published with mode host: the routing mesh is not used. */
  ports: DesiredPort[];
  networks: string[];
  /** Files mounted from Swarm secrets or configs (Kubernetes: Secrets), at /run/secrets/<target> or /<target>. */
  files: DesiredFile[];
  placement: DesiredPlacement;
  stopGracePeriodMs: number;
  /**
   * API replicas: how a change of their template rolls out (spec.rollout), waiting for each new
   * replica to be ready as contract/readiness.ts defines it (the Swarm healthcheck, the Kubernetes
   * readinessProbe). HAProxy: undefined (one instance per node, replaced one at a time).
   */
  rollout?: DesiredRollout;
}

/** Like a Deployment's RollingUpdate: replicas above `replicas` while rolling, and replicas below it. */
export interface DesiredRollout {
  maxSurge: number;
  maxUnavailable: number;
  /**
   * How long HAProxy may take to serve a new replica once the orchestrator runs it: resolve its
   * address (the resolvers ask every second) and pass `rise` health checks. Swarm waits this
   * long after each batch before it stops the next old replicas (contract/readiness.ts).
   */
  admitMs: number;
}


/**
 * Where tasks may run. HAProxy: on the nodes with nodeLabel, else (Swarm) the managers, at most
 * one per node (its ports are published on the node). API replicas: anywhere.
 */
export interface DesiredPlacement {
  managersOnly: boolean;
  nodeLabel?: { key: string; value: string };
  /** At most this many tasks on one node (Swarm MaxReplicas; Kubernetes pod anti-affinity when 1). */
  maxPerNode?: number;
}

export interface DesiredFile { source: 'secret' | 'config'; name: string; target: string }

export interface DesiredSecret { name: string; labels: Record<string, string>; /** bso generates its content */ generated: true }

export interface DesiredState {
  name: string;
  network: { name: string; labels: Record<string, string> };
  secrets: DesiredSecret[];
  services: DesiredService[];
}

export interface ControlPlane {
  /** URL at which supervisors in HAProxy containers reach the operator's config API. */
  operatorUrl: string;
  /** Name of the config object holding the operator's config API token (readable by the operator after a restart). */
  tokenConfig: string;
  /** The network shared by the operator and every HAProxy (empty when not used). */
  controlNetwork?: string;
}

export function desiredStateFor(object: BalancedService, control: ControlPlane): DesiredState {
  const name = object.metadata.name;
  const spec = object.spec;
  const userLabels = (object.metadata.labels ?? {}) as Record<string, string>;
  const withHash = (labels: Record<string, string>, value: unknown) => ({ ...labels, [LABEL_SPEC_HASH]: specHash(value) });
  const network = networkName(name);
  // On SIGTERM a replica answers drain for one agent interval and a second, so HAProxy stops
  // sending before the app stops; the grace period covers that and the in-flight requests.
  const drainDelayMs = durationMs(spec.agent.interval) + 1000;
  const statsSecret = spec.haproxy.statsSecret ?? statsSecretName(name);

  const api: Omit<DesiredService, 'labels'> = {
    name: apiServiceName(name),
    component: 'api',
    image: spec.image,
    replicas: spec.replicas,
    env: {
      ...((spec.env ?? {}) as Record<string, string>),
      [AGENT_ENV.port]: String(spec.port),
      [AGENT_ENV.agentPort]: String(spec.agent.port),
      [AGENT_ENV.maintAt]: String(spec.agent.thresholds.maint),
      [AGENT_ENV.readyAt]: String(spec.agent.thresholds.ready),
      [AGENT_ENV.metric]: spec.agent.metric,
      [AGENT_ENV.sampleInterval]: spec.agent.sampleInterval,
      [AGENT_ENV.smoothing]: spec.agent.smoothing,
      [AGENT_ENV.minMaintTime]: spec.agent.minMaintTime,
      [AGENT_ENV.weighting]: spec.agent.weighting,
      [AGENT_ENV.referenceCpus]: String(spec.resources.cpus),
      [AGENT_ENV.maxconnLimit]: String(spec.haproxy.maxconnPerServer),
      [AGENT_ENV.drainDelay]: `${drainDelayMs}ms`,
      [AGENT_ENV.shutdownTimeout]: `${SHUTDOWN_TIMEOUT_MS}ms`,
      [AGENT_ENV.healthPath]: spec.healthCheck.path,
      [AGENT_ENV.healthRise]: String(spec.healthCheck.rise),
    },
    limits: { nanoCpus: Math.round(spec.resources.cpus * 1e9), memoryBytes: memoryBytes(spec.resources.memory) },
    endpointMode: 'dnsrr',
    ports: [],
    networks: [network],
    files: [],
    placement: { managersOnly: false },
    stopGracePeriodMs: drainDelayMs + SHUTDOWN_TIMEOUT_MS + 5000,
    rollout: {
      maxSurge: spec.rollout.maxSurge,
      maxUnavailable: spec.rollout.maxUnavailable,
      admitMs: RESOLVE_EVERY_MS + spec.healthCheck.rise * durationMs(spec.healthCheck.interval) + 1000,
    },
  };
  const haproxy: Omit<DesiredService, 'labels'> = {
    name: haproxyServiceName(name),
    component: 'haproxy',
    image: spec.haproxy.image,
    replicas: spec.haproxy.replicas,
    env: {
      [SUPERVISOR_ENV.name]: name,
      [SUPERVISOR_ENV.operatorUrl]: control.operatorUrl,
      [SUPERVISOR_ENV.tokenFile]: `/run/bso/${control.tokenConfig}`,
      [SUPERVISOR_ENV.statsAuthFile]: `/run/secrets/${statsSecret}`,
    },
    limits: {},
    endpointMode: 'dnsrr',
    ports: [spec.haproxy.port, spec.haproxy.statsPort].map((port) => ({ target: port, published: port })),
    networks: control.controlNetwork ? [network, control.controlNetwork] : [network],
    files: sortFiles([
      { source: 'config', name: control.tokenConfig, target: `/run/bso/${control.tokenConfig}` },
      { source: 'secret', name: statsSecret, target: statsSecret },
    ]),
    placement: haproxyPlacement(spec.haproxy.nodeLabel),
    stopGracePeriodMs: 30_000,
  };
  return {
    name,
    network: { name: network, labels: { ...userLabels, ...ownerLabels(name, 'network') } },
    secrets: spec.haproxy.statsSecret ? [] : [{ name: statsSecret, labels: { ...userLabels, ...ownerLabels(name, 'stats-auth') }, generated: true }],
    services: ([[api, spec.port], [haproxy, spec.haproxy.statsPort]] as Array<[Omit<DesiredService, 'labels'>, number]>).map(([service, metricsPort]) => {
      const labels = { ...userLabels, ...ownerLabels(name, service.component), [LABEL_METRICS_PORT]: String(metricsPort), [LABEL_REVISION]: revisionOf(service) };
      return { ...service, labels: withHash(labels, { ...service, labels }) };
    }),
  };
}

/**
 * The revision of a service's replicas: a hash of what their containers are made of, so that it
 * changes exactly when the orchestrator replaces them (not with the number of replicas, nor with
 * the rollout settings). Each replica carries the revision it was made with (LABEL_REVISION).
 */
export function revisionOf(service: Omit<DesiredService, 'labels'>): string {
  const { image, env, limits, files, networks, placement, stopGracePeriodMs } = service;
  return specHash({ image, env, limits, files, networks, placement, stopGracePeriodMs }).slice(0, 12);
}

function haproxyPlacement(nodeLabel: string | undefined): DesiredPlacement {
  if (!nodeLabel) return { managersOnly: true, maxPerNode: 1 };
  const at = nodeLabel.indexOf('=');
  return { managersOnly: false, nodeLabel: { key: nodeLabel.slice(0, at), value: nodeLabel.slice(at + 1) }, maxPerNode: 1 };
}

/** One canonical order, so a service read back from the orchestrator compares equal. */
export function sortFiles(files: DesiredFile[]): DesiredFile[] {
  return [...files].sort((a, b) => a.source.localeCompare(b.source) || a.name.localeCompare(b.name));
}
