// BalancedService specs as custom resources (crd/balancedservice.crd.yaml: bso.dev/v1alpha1,
// balancedservices, status subresource). generation is metadata.generation, which the API
// server bumps on spec changes only (a labels-only apply is changed:true, same generation).
// Stored objects are read through the one loader (crd/spec-from-store.ts), so defaults are
// filled in even when the resource was created without them; an invalid one comes back as its
// issues, for the reconciler to report. Status goes to the status subresource (writeStatus).
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { loadSpecFromStore } from '../../crd/spec-from-store.js';
import type { BalancedService, BalancedServiceStatus } from '../../crd/types.generated.js';
import { BsoError } from '../../lib/errors.js';
import { specHash } from '../core/spec-hash.js';
import type { PutResult, StoredSpec } from '../backend.js';
import { apiVersionOf, BALANCED_SERVICES, type KubeApi } from './kube-api.js';

/** When bso last applied a changed spec (Kubernetes keeps no per-generation time). */
export const ANNOTATION_APPLIED_AT = 'bso.dev/applied-at';
/** Annotations that belong to tools, not to the user's spec: kept on the resource, hidden from the spec. */
const TOOL_ANNOTATION = /^(kubectl\.kubernetes\.io|bso\.dev)\//;

export interface BalancedServiceResource {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: unknown;
  status?: BalancedServiceStatus;
}

export class KubernetesSpecStore {
  /** Each resource's spec as last loaded, by uid, with the version it was loaded at. */
  private readonly loaded = new Map<string, { version: string; spec: StoredSpec }>();

  constructor(private readonly api: KubeApi) {}

  /**
   * Every stored spec. The reconciler lists on each reconcile, so a resource is validated again
   * only when what the loader reads changed (its generation, labels or annotations), not when
   * only its status did.
   */
  async list(): Promise<StoredSpec[]> {
    const { items } = await this.api.list<BalancedServiceResource>(BALANCED_SERVICES);
    const seen = new Set<string>();
    const specs = items.map((resource) => {
      const uid = resource.metadata?.uid;
      if (!uid) return toStoredSpec(resource);
      seen.add(uid);
      const version = loadedVersion(resource);
      const cached = this.loaded.get(uid);
      if (cached?.version === version) return cached.spec;
      const spec = toStoredSpec(resource);
      this.loaded.set(uid, { version, spec });
      return spec;
    });
    for (const uid of this.loaded.keys()) if (!seen.has(uid)) this.loaded.delete(uid);
    return specs.sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<StoredSpec | undefined> {
    const resource = await this.api.get<BalancedServiceResource>(BALANCED_SERVICES, name);
    return resource && toStoredSpec(resource);
  }

  async put(object: BalancedService): Promise<PutResult> {
    const name = object.metadata.name;
    const namespace = this.api.namespace;
    if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
      throw new BsoError('BSO_SPEC_INVALID', `metadata.namespace: BalancedService ${name} names namespace ${object.metadata.namespace}, but bso works in namespace ${namespace} (choose it with --namespace)`);
    }
    const existing = await this.api.get<BalancedServiceResource>(BALANCED_SERVICES, name);
    const current = existing && toStoredSpec(existing);
    if (existing && current?.valid && contentHash(current.object) === contentHash(object)) {
      return { generation: existing.metadata?.generation ?? 1, changed: false };
    }
    const toolAnnotations = Object.entries(existing?.metadata?.annotations ?? {}).filter(([key]) => TOOL_ANNOTATION.test(key));
    const body: BalancedServiceResource = {
      apiVersion: apiVersionOf(BALANCED_SERVICES),
      kind: BALANCED_SERVICES.kind,
      metadata: {
        name, namespace,
        ...(object.metadata.labels ? { labels: object.metadata.labels as Record<string, string> } : {}),
        annotations: { ...Object.fromEntries(toolAnnotations), ...(object.metadata.annotations as Record<string, string> | undefined), [ANNOTATION_APPLIED_AT]: new Date().toISOString() },
        ...(existing ? { resourceVersion: existing.metadata?.resourceVersion } : {}),
      },
      spec: object.spec,
    };
    const written = existing ? await this.api.replace(BALANCED_SERVICES, body) : await this.api.create(BALANCED_SERVICES, body);
    return { generation: written.metadata?.generation ?? 1, changed: true };
  }

  delete(name: string): Promise<boolean> {
    return this.api.remove(BALANCED_SERVICES, name);
  }

  /**
   * Replaces the status subresource and returns the resource's uid; BSO_NOT_FOUND when there is
   * none, BSO_CONFLICT (transient) when the resource changed meanwhile.
   */
  async writeStatus(name: string, status: BalancedServiceStatus): Promise<string> {
    const existing = await this.api.get<BalancedServiceResource>(BALANCED_SERVICES, name);
    if (!existing) throw new BsoError('BSO_NOT_FOUND', `BalancedService ${name} does not exist in namespace ${this.api.namespace}`);
    await this.api.replace(BALANCED_SERVICES, { ...existing, status }, 'status');
    return existing.metadata?.uid ?? '';
  }
}

/** What toStoredSpec reads of a resource that can change: the spec (generation; the resourceVersion where there is none), labels, annotations. */
function loadedVersion(resource: BalancedServiceResource): string {
  const meta = resource.metadata ?? {};
  return JSON.stringify([meta.generation ?? `rv:${meta.resourceVersion ?? ''}`, meta.labels ?? {}, meta.annotations ?? {}]);
}

export function toStoredSpec(resource: BalancedServiceResource): StoredSpec {
  const meta = resource.metadata ?? {};
  const annotations = Object.entries(meta.annotations ?? {}).filter(([key]) => !TOOL_ANNOTATION.test(key));
  const raw = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.labels && Object.keys(meta.labels).length ? { labels: meta.labels } : {}),
      ...(annotations.length ? { annotations: Object.fromEntries(annotations) } : {}),
    },
    spec: resource.spec,
  };
  const loaded = loadSpecFromStore(raw, meta.name ?? '', `balancedservice ${meta.namespace ?? ''}/${meta.name ?? ''}`);
  const createdAt = timestamp(meta.creationTimestamp) ?? new Date(0).toISOString();
  return {
    ...loaded,
    generation: meta.generation ?? 1,
    createdAt,
    updatedAt: meta.annotations?.[ANNOTATION_APPLIED_AT] ?? createdAt,
  };
}

/** What identifies a spec's content: labels, annotations and spec (never namespace or status). */
function contentHash(object: BalancedService): string {
  const labels = object.metadata.labels && Object.keys(object.metadata.labels).length ? object.metadata.labels : undefined;
  const annotations = object.metadata.annotations && Object.keys(object.metadata.annotations).length ? object.metadata.annotations : undefined;
  return specHash({ name: object.metadata.name, labels, annotations, spec: object.spec });
}

/** client-node types timestamps as Date; on the wire (and here) they are strings. */
function timestamp(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toISOString();
}
