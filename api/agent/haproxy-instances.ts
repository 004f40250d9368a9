// Which HAProxy instances ask this agent: each instance connects from its own address, so the
// addresses seen within a window are the instances (the supervisor's own probe of the agent comes
// from its HAProxy's address). A replica's concurrency is shared among them, so that two HAProxy
// instances in front of the same replicas do not double what each replica is sent. Pure: time
// comes in as data.

/** An instance not seen for this long no longer counts (several agent intervals). */
export const INSTANCE_WINDOW_MS = 10_000;

export class HAProxyInstances {
  private readonly lastSeen = new Map<string, number>();

  seen(address: string | undefined, nowMs: number): void {
    if (address === undefined) return;
    this.lastSeen.set(address, nowMs);
    if (this.lastSeen.size > 64) this.prune(nowMs);
  }

  /** Instances seen within the window; at least 1. */
  count(nowMs: number): number {
    this.prune(nowMs);
    return Math.max(1, this.lastSeen.size);
  }

  private prune(nowMs: number): void {
    for (const [address, at] of this.lastSeen) if (nowMs - at > INSTANCE_WINDOW_MS) this.lastSeen.delete(address);
  }
}
