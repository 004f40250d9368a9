// Leader election with a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does
// it: several operator replicas, one reconciler. A replica takes the Lease when it is free or
// its holder has not renewed it for leaseDuration (measured on this replica's own clock, from
// when it last saw the Lease change: no trust in other clocks); the leader renews it every
// renewEvery and gives up leadership when it could not renew for renewDeadline. Writes carry the
// resourceVersion they read, so two replicas never both win the same round (the loser gets 409).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { V1Lease } from '@kubernetes/client-node';
import { isBsoError } from '../../lib/errors.js';
import { apiVersionOf, LEASES, type KubeApi } from './kube-api.js';

export const LEASE_NAME = 'bso-operator';

export interface LeaseTiming {
  /** How long a Lease nobody renews keeps others out (default 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it stops leading (default 10 s). */
  renewDeadlineMs: number;
  /** How often the leader renews and a standby tries (default 2 s). */
  retryEveryMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryEveryMs: 2_000 };

export interface LeaderCallbacks {
  /** This replica leads from now on. */
  onStartedLeading(): void;
  /** It lost the Lease (could not renew in time): it must stop writing at once. */
  onStoppedLeading(): void;
  /** Someone else holds the Lease (for readiness and logs); called when the holder changes. */
  onNewLeader?(identity: string): void;
}

/** pod name (the hostname in a pod) plus a random suffix: two processes on one host differ. */
export function leaseIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export class LeaderLease {
  private stopped = false;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  /** The holder and renew time last seen, and when (this clock). */
  private observed: { holder: string; renewTime: string; at: number } | undefined;
  private lastRenewedAt = 0;
  private reportedLeader = '';

  constructor(
    private readonly api: KubeApi,
    readonly identity: string,
    private readonly callbacks: LeaderCallbacks,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
    private readonly name = LEASE_NAME,
  ) {}

  get isLeader(): boolean { return this.leading; }

  start(): void {
    void this.round();
  }

  /** Stops competing; a leader releases the Lease so that a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.get<V1Lease>(LEASES, this.name);
      if (lease?.spec?.holderIdentity === this.identity) {
        await this.api.replace(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 } });
      }
    } catch {
      // It expires by itself.
    }
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    let held: boolean;
    try {
      held = await this.tryAcquireOrRenew();
    } catch {
      held = false;
    }
    if (this.stopped) return;
    const now = Date.now();
    if (held) {
      this.lastRenewedAt = now;
      if (!this.leading) {
        this.leading = true;
        this.callbacks.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenewedAt > this.timing.renewDeadlineMs) {
      this.leading = false;
      this.stopped = true;
      this.callbacks.onStoppedLeading();
      return;
    }
    this.timer = setTimeout(() => void this.round(), this.timing.retryEveryMs);
    this.timer.unref?.();
  }

  /** One attempt; true when this replica holds the Lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const lease = await this.api.get<V1Lease>(LEASES, this.name);
    const spec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    if (!lease) {
      try {
        await this.api.create(LEASES, {
          apiVersion: apiVersionOf(LEASES), kind: LEASES.kind,
          metadata: { name: this.name, namespace: this.api.namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        } as V1Lease);
        return true;
      } catch (error) {
        if (isBsoError(error, 'BSO_CONFLICT')) return false; // another replica created it first
        throw error;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const renewTime = String(lease.spec?.renewTime ?? '');
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: Date.now() };
    }
    if (holder && holder !== this.identity && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.callbacks.onNewLeader?.(holder);
    }
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    const free = !holder || Date.now() - this.observed.at > durationMs;
    if (holder !== this.identity && !free) return false;
    const takingOver = holder !== this.identity;
    try {
      await this.api.replace(LEASES, {
        ...lease,
        spec: {
          ...lease.spec, ...spec,
          acquireTime: takingOver ? microTime(now) : lease.spec?.acquireTime,
          leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (takingOver && holder ? 1 : 0),
        },
      } as V1Lease);
      return true;
    } catch (error) {
      if (isBsoError(error, 'BSO_CONFLICT')) return false; // another replica wrote in between
      throw error;
    }
  }
}

/** A MicroTime as the API server wants it (RFC 3339 with microseconds). */
function microTime(date: Date): Date {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
}
