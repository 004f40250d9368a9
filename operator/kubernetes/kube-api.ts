// The narrow interface bso uses to reach a Kubernetes API server: namespaced get, list, create,
// replace, server-side apply, delete and watch on the few resources it touches, and whether a
// group-version is served (discovery). One implementation
// (client-node-kube-api.ts, through @kubernetes/client-node); the backend never sees HTTP.
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ResourceType { group: string; version: string; plural: string; kind: string }

export const BALANCED_SERVICES: ResourceType = { group: 'bso.dev', version: 'v1alpha1', plural: 'balancedservices', kind: 'BalancedService' };
export const DEPLOYMENTS: ResourceType = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' };
export const SERVICES: ResourceType = { group: '', version: 'v1', plural: 'services', kind: 'Service' };
export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };
export const NETWORK_POLICIES: ResourceType = { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy' };
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' };
export const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event' };
/**
 * PodDisruptionBudgets: policy/v1 from Kubernetes 1.21, policy/v1beta1 until 1.25 removed it. The
 * fields bso sets are the same in both; the backend asks the API server which it serves.
 */
export const POD_DISRUPTION_BUDGETS_V1: ResourceType = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget' };
export const POD_DISRUPTION_BUDGETS_V1BETA1: ResourceType = { ...POD_DISRUPTION_BUDGETS_V1, version: 'v1beta1' };

export const apiVersionOf = (type: ResourceType) => (type.group ? `${type.group}/${type.version}` : type.version);

export function collectionPath(type: ResourceType, namespace: string): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return `${prefix}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}

export interface Preconditions { uid?: string; resourceVersion?: string }

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandlers<T> {
  onEvent(type: WatchEventType, object: T): void;
  /** The stream ended: error is undefined when the server closed it normally. */
  onEnd(error?: unknown): void;
}

export interface KubeApi {
  readonly namespace: string;
  /** undefined when the object does not exist. */
  get<T extends KubernetesObject>(type: ResourceType, name: string): Promise<T | undefined>;
  list<T extends KubernetesObject>(type: ResourceType, labelSelector?: string): Promise<{ items: T[]; resourceVersion: string }>;
  /** Throws BSO_CONFLICT (transient) when the name is taken. */
  create<T extends KubernetesObject>(type: ResourceType, object: T): Promise<T>;
  /** object.metadata.resourceVersion, when set, must match (else BSO_CONFLICT, transient). */
  replace<T extends KubernetesObject>(type: ResourceType, object: T, subresource?: 'status'): Promise<T>;
  /**
   * Server-side apply (PATCH application/apply-patch+yaml) as `fieldManager`: creates the object
   * or sets exactly the fields it carries, leaving other writers' fields alone. force takes over
   * fields another manager owns (else that is a 409, BSO_CONFLICT). object.metadata.resourceVersion,
   * when set, must match (else BSO_CONFLICT, transient).
   */
  apply<T extends KubernetesObject>(type: ResourceType, object: T, options: { fieldManager: string; force: boolean }): Promise<T>;
  /** False when there was nothing to delete. A failed precondition is BSO_CONFLICT (transient). */
  remove(type: ResourceType, name: string, preconditions?: Preconditions): Promise<boolean>;
  /** API discovery: whether the server serves this group and version (GET /apis/GROUP/VERSION answers 200, not 404). */
  serves(group: string, version: string): Promise<boolean>;
  /** Streams changes after resourceVersion; returns a function that stops the stream. */
  watch<T extends KubernetesObject>(type: ResourceType, options: { labelSelector?: string; resourceVersion: string; timeoutSeconds?: number }, handlers: WatchHandlers<T>): () => void;
  close(): void;
}

/** An HTTP error the API server answered that bso does not map to a BsoError. */
export class KubeApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
  }
}
