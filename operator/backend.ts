// The one interface the reconciler and the CLI use to reach an orchestrator. Implemented by
// operator/swarm/ (dockerode) and operator/kubernetes/ (client-node); only they import those.
import type { BalancedService } from '../crd/types.generated.js';
import type { ControlPlane } from './core/desired-state.js';
import type { SpecFromStore } from '../crd/spec-from-store.js';
import { formatIssue } from '../crd/spec-issue.js';
import { BsoError } from '../lib/errors.js';
import type { ObservedObject, PlanAction } from './core/plan.js';
import type { ResourceReporter } from './status-publisher.js';

/**
 * A spec as a store holds it, loaded through crd/spec-from-store.ts: valid with every default
 * filled in, or invalid with its issues (written by another bso version or by hand).
 */
export type StoredSpec = SpecFromStore & {
  /** Increases by one with every apply that changes the spec. */
  generation: number;
  /** When the spec was first applied (ISO 8601). */
  createdAt: string;
  /** When this generation was applied (ISO 8601). */
  updatedAt: string;
};

/** The stored spec's object; BSO_SPEC_INVALID with every issue when the store holds an invalid one. */
export function validStoredObject(stored: StoredSpec): BalancedService {
  if (stored.valid) return stored.object;
  throw new BsoError('BSO_SPEC_INVALID', `the stored BalancedService ${stored.name} is invalid: ${stored.issues.map(formatIssue).join('; ')}`);
}

export interface PutResult { generation: number; changed: boolean }

export interface Observed {
  /** Objects labelled as owned by the BalancedService. */
  owned: ObservedObject[];
  /** Objects (owned or foreign) that carry one of the names the desired state uses. */
  byName: ObservedObject[];
}

export interface ReplicaCounts { desired: number; running: number }

export interface TaskInfo {
  id: string;
  /** What a person calls it: the Swarm task `hello-api.1`, the Kubernetes pod's name. */
  name?: string;
  slot: number; node: string; state: string; address?: string; message?: string; containerId?: string;
  /** The revision the replica was made with (its label bso.dev/revision; rollout-progress.ts). */
  revision?: string;
}

export interface Backend {
  readonly kind: 'swarm' | 'kubernetes';
  /** Where the orchestrator shows status and events on the resource itself (Kubernetes only). */
  readonly reporter?: ResourceReporter;

  listSpecs(): Promise<StoredSpec[]>;
  getSpec(name: string): Promise<StoredSpec | undefined>;
  /** Stores the spec; an unchanged spec writes nothing. Throws BSO_CONFLICT when raced. */
  putSpec(object: BalancedService): Promise<PutResult>;
  /** Removes the spec (the operator then removes what it owns). False when there was none. */
  deleteSpec(name: string): Promise<boolean>;

  /** Names of BalancedServices that own objects (to clean up after deleted specs). */
  listOwners(): Promise<string[]>;
  observe(name: string, wantedNames: readonly string[]): Promise<Observed>;
  execute(action: PlanAction): Promise<void>;
  /** Desired and running replicas of a service bso owns. */
  replicaCounts(serviceName: string): Promise<ReplicaCounts>;
  tasks(serviceName: string): Promise<TaskInfo[]>;

  /** Creates (once) and returns what the HAProxy supervisors need to reach the operator. */
  ensureControlPlane(operatorUrl: string): Promise<ControlPlane & { token: string }>;

  /**
   * Calls onHint with a BalancedService name (or undefined: anything may have changed) when the
   * orchestrator reports a change. Hints can be missed: the reconciler resyncs regardless.
   * Returns a function that stops watching.
   */
  watch(onHint: (name: string | undefined) => void, onError: (error: unknown) => void): () => void;
}
