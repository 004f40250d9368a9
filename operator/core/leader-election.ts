// Leader election over a lease record kept in the cluster, the way client-go's leaderelection
// does it: several operator processes, one reconciler. A candidate takes the lease when it is
// free or its holder has not renewed it for its duration (measured on this candidate's own clock,
// from when it last saw the record change: no trust in other clocks); the leader renews it every
// retryEvery and gives up leadership when it could not renew for renewDeadline. Every write
// carries the version it read, so two candidates never both win the same round (the loser's write
// is refused). Where the record lives is a LeaseStore: a Lease on Kubernetes
// (operator/kubernetes/leader-lease.ts), the labels of a service of bso's own on Swarm
// (operator/swarm/operator-lock.ts).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

export interface LeaseTiming {
  /** How long a lease nobody renews keeps others out (default 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it stops leading (default 10 s). */
  renewDeadlineMs: number;
  /** How often the leader renews and a standby tries (default 2 s). */
  retryEveryMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryEveryMs: 2_000 };

export interface LeaderCallbacks {
  /** This candidate leads from now on. */
  onStartedLeading(): void;
  /** It lost the lease (could not renew in time): it must stop writing at once. */
  onStoppedLeading(): void;
  /** Someone else holds the lease (for readiness and logs); called when the holder changes. */
  onNewLeader?(identity: string): void;
}

/** What a lease says. Times are the holder's ISO strings, only compared for change. */
export interface LeaseRecord {
  holder: string;
  renewTime: string;
  durationSeconds: number;
  acquireTime?: string;
  transitions: number;
}

/** Where the lease record lives, with optimistic writes. */
export interface LeaseStore {
  /** For messages: which object holds the lease. */
  readonly where: string;
  /** The record and the version to write against; undefined when there is none yet. */
  read(): Promise<{ record: LeaseRecord; version: unknown } | undefined>;
  /** false when another candidate created it first. */
  create(record: LeaseRecord): Promise<boolean>;
  /** false when the record changed since `version` was read. */
  write(record: LeaseRecord, version: unknown): Promise<boolean>;
}

/** The host name (a pod's name, a task's container) plus a random suffix: two processes on one host differ. */
export function leaseIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export class LeaderElection {
  private stopped = false;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  /** The holder and renew time last seen, and when (this clock). */
  private observed: { holder: string; renewTime: string; at: number } | undefined;
  private lastRenewedAt = 0;
  private reportedLeader = '';

  constructor(
    private readonly store: LeaseStore,
    readonly identity: string,
    private readonly callbacks: LeaderCallbacks,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
  ) {}

  get isLeader(): boolean { return this.leading; }
  get where(): string { return this.store.where; }

  start(): void {
    void this.round();
  }

  /** Stops competing; a leader releases the lease so that a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const current = await this.store.read();
      if (current?.record.holder === this.identity) {
        await this.store.write({ ...current.record, holder: '', durationSeconds: 1 }, current.version);
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

  /** One attempt; true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date().toISOString();
    const mine = { holder: this.identity, durationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000), renewTime: now };
    const current = await this.store.read();
    if (!current) return this.store.create({ ...mine, acquireTime: now, transitions: 0 });
    const { record, version } = current;
    if (!this.observed || this.observed.holder !== record.holder || this.observed.renewTime !== record.renewTime) {
      this.observed = { holder: record.holder, renewTime: record.renewTime, at: Date.now() };
    }
    if (record.holder && record.holder !== this.identity && record.holder !== this.reportedLeader) {
      this.reportedLeader = record.holder;
      this.callbacks.onNewLeader?.(record.holder);
    }
    const free = !record.holder || Date.now() - this.observed.at > record.durationSeconds * 1000;
    if (record.holder !== this.identity && !free) return false;
    const takingOver = record.holder !== this.identity;
    return this.store.write({
      ...mine,
      acquireTime: takingOver ? now : record.acquireTime,
      transitions: record.transitions + (takingOver && record.holder ? 1 : 0),
    }, version);
  }
}
