// DesiredService <-> Kubernetes Deployment (+ its companion Service, see service-objects.ts).
// Pure translation both ways: fromDeployment projects an observed Deployment back onto the
// fields bso sets, so the planner sees drift (replicas scaled by hand, an edited image, a
// deleted headless Service) and nothing else (defaults the API server adds are ignored).
// Fields with no Kubernetes meaning (Swarm networks, manager placement, tasks per node beyond
// what the anti-affinity shows, what a rollout needs besides maxSurge and maxUnavailable) and the
// exact grace period in ms ride in one annotation, so the round trip is exact.
import type { V1Container, V1Deployment, V1EnvVar, V1ObjectMeta, V1Service, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { sortFiles, type DesiredFile, type DesiredPlacement, type DesiredService } from '../core/desired-state.js';
import { LABEL_COMPONENT, LABEL_SPEC_HASH } from '../../contract/names.js';
import { apiVersionOf, DEPLOYMENTS } from './kube-api.js';
import { bytesOf, cpuQuantity, memoryQuantity, nanoCpusOf } from './quantity.js';
import { apiPorts, podSelector, serviceMatches, toService, type HAProxyServiceType } from './service-objects.js';
import { readinessProbe, rolloutExtraOf, rolloutFields, rolloutOf, type RolloutExtra } from './deployment-rollout.js';

/** Fields of DesiredService that Kubernetes has no place for, as JSON. */
export const ANNOTATION_UNMAPPED = 'bso.dev/unmapped-fields';
/** The key of every Secret bso mounts as a file (stats credentials, operator token). */
export const SECRET_FILE_KEY = 'auth';
/** Where a secret with a relative target is mounted, as on Swarm. */
export const SECRETS_DIR = '/run/secrets';

interface Unmapped { networks: string[]; managersOnly: boolean; stopGracePeriodMs: number; maxPerNode?: number; rollout?: RolloutExtra }

export interface TranslateOptions { namespace: string; haproxyServiceType: HAProxyServiceType }

export function toDeployment(service: DesiredService, options: TranslateOptions): V1Deployment {
  const unmapped: Unmapped = {
    networks: service.networks, managersOnly: service.placement.managersOnly, stopGracePeriodMs: service.stopGracePeriodMs,
    ...(service.placement.maxPerNode ? { maxPerNode: service.placement.maxPerNode } : {}),
    ...(service.rollout ? { rollout: rolloutExtraOf(service.rollout) } : {}),
  };
  // The spec hash stays off the pods: a changed replica count must not restart every pod.
  const podLabels = Object.fromEntries(Object.entries(service.labels).filter(([key]) => key !== LABEL_SPEC_HASH));
  const container: V1Container = {
    name: service.component,
    image: service.image,
    imagePullPolicy: 'IfNotPresent',
    env: Object.entries(service.env).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]): V1EnvVar => ({ name, value })),
    ports: containerPorts(service),
    resources: { limits: limitsOf(service) },
    volumeMounts: service.files.map((file, i): V1VolumeMount => ({ name: volumeName(file, i), mountPath: mountPathOf(file), subPath: SECRET_FILE_KEY, readOnly: true })),
    // Replicas that roll out with spec.rollout: Ready once HAProxy serves them (deployment-rollout.ts).
    ...(service.rollout ? { readinessProbe: readinessProbe() } : {}),
  };
  return {
    apiVersion: apiVersionOf(DEPLOYMENTS),
    kind: DEPLOYMENTS.kind,
    metadata: { name: service.name, namespace: options.namespace, labels: { ...service.labels }, annotations: { [ANNOTATION_UNMAPPED]: JSON.stringify(unmapped) } },
    spec: {
      replicas: service.replicas,
      selector: { matchLabels: podSelector(service) },
      ...(service.rollout ? rolloutFields(service.rollout) : {
        strategy: { type: 'RollingUpdate', rollingUpdate: keptApart(service) ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge: 1, maxUnavailable: 0 } },
      }),
      revisionHistoryLimit: 3,
      template: {
        metadata: { labels: podLabels },
        spec: {
          containers: [container],
          ...(service.placement.nodeLabel ? { nodeSelector: { [service.placement.nodeLabel.key]: service.placement.nodeLabel.value } } : {}),
          ...(keptApart(service) ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: podSelector(service) }, topologyKey: HOSTNAME_LABEL }] } } } : {}),
          volumes: service.files.map((file, i): V1Volume => ({ name: volumeName(file, i), secret: { secretName: file.name, defaultMode: 0o444 } })),
          terminationGracePeriodSeconds: Math.ceil(service.stopGracePeriodMs / 1000),
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          ...privilegedPortsSecurityContext(service),
        },
      },
    },
  };
}

/** bso's field manager for server-side apply (kubectl get -o yaml --show-managed-fields shows it). */
export const FIELD_MANAGER = 'bso';

/**
 * The label keys `manager` owns by server-side apply, from the object's managedFields (fieldsV1:
 * {"f:metadata": {"f:labels": {"f:KEY": {}}}}); undefined when the object has no apply of that
 * manager on record (created before bso applied, or an API server that keeps no managedFields,
 * as the FAKE): then every label counts.
 */
export function labelsAppliedBy(manager: string, metadata: V1ObjectMeta | undefined): Set<string> | undefined {
  const applies = (metadata?.managedFields ?? []).filter((entry) => entry.manager === manager && entry.operation === 'Apply');
  if (applies.length === 0) return undefined;
  const keys = new Set<string>();
  for (const entry of applies) {
    const fields = entry.fieldsV1 as { 'f:metadata'?: { 'f:labels'?: Record<string, unknown> } } | undefined;
    for (const key of Object.keys(fields?.['f:metadata']?.['f:labels'] ?? {})) if (key.startsWith('f:')) keys.add(key.slice(2));
  }
  return keys;
}

/** The fields bso sets, read back from a Deployment and its companion Service; undefined when not one of ours. */
export function fromDeployment(deployment: V1Deployment, companion: V1Service | undefined, options: TranslateOptions): DesiredService | undefined {
  // Only the labels bso applied: one someone added by hand survives the apply (server-side apply
  // leaves other managers' fields alone) and must not read as drift, or bso re-applies forever.
  const owned = labelsAppliedBy(FIELD_MANAGER, deployment.metadata);
  const labels = Object.fromEntries(Object.entries(deployment.metadata?.labels ?? {}).filter(([key]) => owned?.has(key) ?? true));
  const component = labels[LABEL_COMPONENT];
  if (component !== 'api' && component !== 'haproxy') return undefined;
  const pod = deployment.spec?.template?.spec;
  const container = pod?.containers?.find((c) => c.name === component) ?? pod?.containers?.[0];
  const unmapped = parseUnmapped(deployment.metadata?.annotations?.[ANNOTATION_UNMAPPED]);
  const graceSeconds = pod?.terminationGracePeriodSeconds ?? 30;
  const limits = container?.resources?.limits ?? {};
  const projected: DesiredService = {
    name: deployment.metadata?.name ?? '',
    component,
    image: container?.image ?? '',
    replicas: deployment.spec?.replicas ?? 1,
    env: Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? ''])),
    labels,
    limits: { nanoCpus: nanoCpusOf(limits.cpu), memoryBytes: bytesOf(limits.memory) },
    endpointMode: 'dnsrr',
    ports: component === 'haproxy'
      ? (companion?.spec?.ports ?? []).map((p) => ({ target: Number(p.targetPort ?? p.port), published: p.port }))
      : [],
    networks: unmapped?.networks ?? [],
    files: filesOf(container?.volumeMounts ?? [], pod?.volumes ?? []),
    placement: placementOf(unmapped, pod?.nodeSelector),
    // The exact value when the annotation agrees with the pod's grace period, else the pod's.
    stopGracePeriodMs: unmapped && Math.ceil(unmapped.stopGracePeriodMs / 1000) === graceSeconds ? unmapped.stopGracePeriodMs : graceSeconds * 1000,
    // The API replicas roll out with spec.rollout; HAProxy's strategy follows from its placement.
    ...(component === 'api' ? { rollout: rolloutOf(deployment.spec, component, unmapped?.rollout) } : {}),
  };
  // The companion Service is part of the service: missing or changed reads as drift.
  const wanted = toService(projected, options);
  if (!companion || !serviceMatches(wanted, companion)) projected.endpointMode = 'vip' as 'dnsrr';
  return projected;
}

/** The node label Kubernetes puts on every node with its name: one pod per value is one per node. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/**
 * Several pods that must run on distinct nodes (HAProxy instances): required pod anti-affinity,
 * and a rollout that replaces one at a time in place (a surge pod would find no free node when
 * every eligible node has one, and wait forever). One pod alone surges: there is nothing to keep
 * it apart from, and the old pod serves until the new one runs.
 */
function keptApart(service: DesiredService): boolean {
  return service.placement.maxPerNode === 1 && service.replicas > 1;
}

function placementOf(unmapped: Unmapped | undefined, nodeSelector: Record<string, string> | undefined): DesiredPlacement {
  const [label] = Object.entries(nodeSelector ?? {});
  return {
    managersOnly: unmapped?.managersOnly ?? false,
    ...(label ? { nodeLabel: { key: label[0], value: label[1] } } : {}),
    ...(unmapped?.maxPerNode ? { maxPerNode: unmapped.maxPerNode } : {}),
  };
}

/**
 * HAProxy runs as a user, not root (haproxy/Dockerfile). Docker lets a container's users bind
 * ports below 1024 (it sets net.ipv4.ip_unprivileged_port_start=0 in each container); Kubernetes
 * does not, so a pod that listens below 1024 asks for the same namespaced sysctl. It is a safe
 * sysctl from Kubernetes 1.22; older kubelets need --allowed-unsafe-sysctls for it.
 */
export const UNPRIVILEGED_PORT_START = 'net.ipv4.ip_unprivileged_port_start';
function privilegedPortsSecurityContext(service: DesiredService): { securityContext?: { sysctls: Array<{ name: string; value: string }> } } {
  const lowest = Math.min(...(containerPorts(service) ?? []).map((p) => p.containerPort));
  return lowest < 1024 ? { securityContext: { sysctls: [{ name: UNPRIVILEGED_PORT_START, value: String(lowest) }] } } : {};
}

function containerPorts(service: DesiredService): V1Container['ports'] {
  if (service.component === 'haproxy') return service.ports.map((p) => ({ containerPort: p.target, protocol: 'TCP' }));
  return apiPorts(service).map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' }));
}

function limitsOf(service: DesiredService): Record<string, string> {
  const limits: Record<string, string> = {};
  if (service.limits.nanoCpus) limits.cpu = cpuQuantity(service.limits.nanoCpus);
  if (service.limits.memoryBytes) limits.memory = memoryQuantity(service.limits.memoryBytes);
  return limits;
}

const volumeName = (file: DesiredFile, index: number) => `${file.source}-${index}`;

function mountPathOf(file: DesiredFile): string {
  if (file.target.startsWith('/')) return file.target;
  return file.source === 'secret' ? `${SECRETS_DIR}/${file.target}` : `/${file.target}`;
}

function filesOf(mounts: V1VolumeMount[], volumes: V1Volume[]): DesiredFile[] {
  const files: DesiredFile[] = [];
  for (const mount of mounts) {
    const volume = volumes.find((v) => v.name === mount.name);
    const source = /^(secret|config)-\d+$/.exec(mount.name)?.[1] as DesiredFile['source'] | undefined;
    if (!volume?.secret?.secretName || !source) continue;
    const inSecrets = source === 'secret' && mount.mountPath.startsWith(`${SECRETS_DIR}/`);
    files.push({ source, name: volume.secret.secretName, target: inSecrets ? mount.mountPath.slice(SECRETS_DIR.length + 1) : mount.mountPath });
  }
  return sortFiles(files);
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'number');
}

function parseUnmapped(text: string | undefined): Unmapped | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Unmapped>;
    if (!Array.isArray(value.networks) || typeof value.managersOnly !== 'boolean' || typeof value.stopGracePeriodMs !== 'number') return undefined;
    return {
      networks: value.networks.map(String), managersOnly: value.managersOnly, stopGracePeriodMs: value.stopGracePeriodMs,
      ...(typeof value.maxPerNode === 'number' ? { maxPerNode: value.maxPerNode } : {}),
      ...(isNumberRecord(value.rollout) ? { rollout: value.rollout as RolloutExtra } : {}),
    };
  } catch {
    return undefined;
  }
}
