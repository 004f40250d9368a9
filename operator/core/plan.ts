// desired state + observed state -> the writes that converge them. Pure and deterministic.
// An unchanged spec plans nothing; a foreign object with one of our names is a conflict,
// never overwritten; objects we own that are no longer desired are deleted.
import type { DesiredService, DesiredState } from './desired-state.js';
import { LABEL_OWNER, LABEL_REVISION, LABEL_SPEC_HASH } from '../../contract/names.js';
import { specHash } from './spec-hash.js';
import type { FailedRevision } from './rollout-progress.js';

export type ObjectKind = 'network' | 'secret' | 'service';

export interface ObservedObject {
  kind: ObjectKind;
  id: string;
  name: string;
  labels: Record<string, string>;
  /** Optimistic concurrency: the version the update must be based on (Swarm: Version.Index; Kubernetes: the Deployment's generation). */
  version?: number;
  /** Services: the observed spec projected back onto the fields bso sets. */
  service?: DesiredService;
  /** Services: a revision whose rollout the orchestrator gave up on (Swarm rolled it back). */
  failedRevision?: FailedRevision;
}

export type PlanAction =
  | { type: 'create'; kind: 'network'; name: string; labels: Record<string, string> }
  | { type: 'create'; kind: 'secret'; name: string; labels: Record<string, string> }
  | { type: 'create'; kind: 'service'; service: DesiredService }
  | { type: 'update'; kind: 'service'; service: DesiredService; id: string; version: number; reason: string }
  | { type: 'delete'; kind: ObjectKind; id: string; name: string; reason: string };

export interface Conflict { kind: ObjectKind; name: string; message: string }

/** A service left as it is because the spec asks for a revision whose rollout failed. */
export interface HeldRollout { service: string; failed: FailedRevision }

export interface Plan { actions: PlanAction[]; conflicts: Conflict[]; held: HeldRollout[] }

const DELETE_ORDER: Record<ObjectKind, number> = { service: 0, secret: 1, network: 2 };

/**
 * @param desired  what should exist for this BalancedService (undefined: it was deleted)
 * @param owned    objects labelled as owned by this BalancedService
 * @param byName   every object (owned or not) whose name the desired state uses, to find foreign ones
 */
export function planFor(name: string, desired: DesiredState | undefined, owned: readonly ObservedObject[], byName: readonly ObservedObject[]): Plan {
  const actions: PlanAction[] = [];
  const conflicts: Conflict[] = [];
  const held: HeldRollout[] = [];
  const isOurs = (o: ObservedObject) => o.labels[LABEL_OWNER] === name;
  const find = (kind: ObjectKind, objectName: string) => byName.find((o) => o.kind === kind && o.name === objectName);
  const foreign = (kind: ObjectKind, objectName: string) => {
    const o = find(kind, objectName);
    if (o && !isOurs(o)) {
      conflicts.push({ kind, name: objectName, message: `a ${kind} named ${objectName} exists and is not owned by BalancedService ${name}; remove or rename it` });
      return true;
    }
    return false;
  };

  const wanted = new Set<string>();
  if (desired) {
    wanted.add(`network/${desired.network.name}`);
    if (!foreign('network', desired.network.name) && !find('network', desired.network.name)) {
      actions.push({ type: 'create', kind: 'network', name: desired.network.name, labels: desired.network.labels });
    }
    for (const secret of desired.secrets) {
      wanted.add(`secret/${secret.name}`);
      if (!foreign('secret', secret.name) && !find('secret', secret.name)) {
        actions.push({ type: 'create', kind: 'secret', name: secret.name, labels: secret.labels });
      }
    }
    for (const service of desired.services) {
      wanted.add(`service/${service.name}`);
      if (foreign('service', service.name)) continue;
      const observed = find('service', service.name);
      if (!observed) {
        actions.push({ type: 'create', kind: 'service', service });
        continue;
      }
      // Swarm rolled a failed revision back (the old replicas serve): applying it again would
      // fail again, in a loop. It stays held until the spec asks for another revision.
      const failed = observed.failedRevision;
      if (failed && failed.revision === service.labels[LABEL_REVISION]) {
        held.push({ service: service.name, failed });
        continue;
      }
      const reason = serviceDrift(service, observed);
      if (reason) actions.push({ type: 'update', kind: 'service', service, id: observed.id, version: observed.version ?? 0, reason });
    }
  }

  const leftovers = owned
    .filter((o) => !wanted.has(`${o.kind}/${o.name}`))
    .sort((a, b) => DELETE_ORDER[a.kind] - DELETE_ORDER[b.kind] || a.name.localeCompare(b.name));
  for (const o of leftovers) {
    actions.push({ type: 'delete', kind: o.kind, id: o.id, name: o.name, reason: desired ? 'no longer desired' : `BalancedService ${name} was deleted` });
  }
  return { actions, conflicts, held };
}

/** Why an observed service must be updated, or undefined when it matches. */
export function serviceDrift(desired: DesiredService, observed: ObservedObject): string | undefined {
  if (observed.labels[LABEL_SPEC_HASH] !== desired.labels[LABEL_SPEC_HASH]) return 'spec changed';
  if (!observed.service) return 'observed spec unreadable';
  if (observed.service.replicas !== desired.replicas) return `replicas drifted to ${observed.service.replicas} (want ${desired.replicas})`;
  if (specHash(observed.service) !== specHash(desired)) return 'service was changed outside bso';
  return undefined;
}
