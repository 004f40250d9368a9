// Leader election on Kubernetes: the lease record is a coordination.k8s.io/v1 Lease
// (operator/core/leader-election.ts has the election itself). Writes carry the resourceVersion
// they read; a 409 is a lost round.
import type { V1Lease } from '@kubernetes/client-node';
import { isBsoError } from '../../lib/errors.js';
import { DEFAULT_LEASE_TIMING, LeaderElection, type LeaderCallbacks, type LeaseRecord, type LeaseStore, type LeaseTiming } from '../core/leader-election.js';
import { apiVersionOf, LEASES, type KubeApi } from './kube-api.js';

export { DEFAULT_LEASE_TIMING, leaseIdentity, type LeaderCallbacks, type LeaseTiming } from '../core/leader-election.js';

export const LEASE_NAME = 'bso-operator';

/** The Lease NAME in the API's namespace as a LeaseStore. */
export class KubernetesLeaseStore implements LeaseStore {
  readonly where: string;

  constructor(private readonly api: KubeApi, private readonly name = LEASE_NAME) {
    this.where = `Lease ${api.namespace}/${name}`;
  }

  async read(): Promise<{ record: LeaseRecord; version: unknown } | undefined> {
    const lease = await this.api.get<V1Lease>(LEASES, this.name);
    if (!lease) return undefined;
    const spec = lease.spec ?? {};
    return {
      record: {
        holder: spec.holderIdentity ?? '', renewTime: String(spec.renewTime ?? ''), durationSeconds: spec.leaseDurationSeconds ?? 15,
        acquireTime: spec.acquireTime === undefined ? undefined : String(spec.acquireTime), transitions: spec.leaseTransitions ?? 0,
      },
      version: lease,
    };
  }

  async create(record: LeaseRecord): Promise<boolean> {
    return this.conflictIsFalse(() => this.api.create(LEASES, {
      apiVersion: apiVersionOf(LEASES), kind: LEASES.kind,
      metadata: { name: this.name, namespace: this.api.namespace },
      spec: specOf(record),
    } as V1Lease));
  }

  /** version is the Lease as read: its resourceVersion makes the write optimistic. */
  async write(record: LeaseRecord, version: unknown): Promise<boolean> {
    const lease = version as V1Lease;
    return this.conflictIsFalse(() => this.api.replace(LEASES, { ...lease, spec: { ...lease.spec, ...specOf(record) } } as V1Lease));
  }

  private async conflictIsFalse(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isBsoError(error, 'BSO_CONFLICT')) return false; // another candidate wrote in between
      throw error;
    }
  }
}

function specOf(record: LeaseRecord): V1Lease['spec'] {
  return {
    holderIdentity: record.holder || undefined,
    leaseDurationSeconds: record.durationSeconds,
    renewTime: microTime(record.renewTime),
    ...(record.acquireTime ? { acquireTime: microTime(record.acquireTime) } : {}),
    leaseTransitions: record.transitions,
  };
}

/** A MicroTime as the API server wants it (RFC 3339 with microseconds). */
function microTime(iso: string): Date {
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
}

/** A leader election on the Lease NAME (bso-operator) of the API's namespace. */
export class LeaderLease extends LeaderElection {
  constructor(api: KubeApi, identity: string, callbacks: LeaderCallbacks, timing: LeaseTiming = DEFAULT_LEASE_TIMING, name = LEASE_NAME) {
    super(new KubernetesLeaseStore(api, name), identity, callbacks, timing);
  }
}
