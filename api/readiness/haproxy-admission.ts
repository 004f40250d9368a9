// Whether HAProxy sends this replica requests yet, from the health checks it receives: HAProxy
// marks a server UP after `rise` passed checks in a row, so a checker address whose last `rise`
// checks all passed has the replica UP. The rule is contract/readiness.ts's; this is its
// bookkeeping. Pure: time and requests come in as data.
import { UNCHECKED_READY_AFTER_MS } from '../../contract/readiness.js';

export interface Readiness { ready: boolean; reason: string }

/** Checker addresses kept at most (a replica is checked by one address per HAProxy instance). */
const MAX_CHECKERS = 64;

export class HAProxyAdmission {
  /** Passed checks in a row, by checker address. */
  private readonly streaks = new Map<string, number>();
  private admittedBy: string | undefined;
  private checked = false;

  constructor(private readonly rise: number, private readonly startedAtMs: number) {}

  /** One health check answered: `passed` when HAProxy counts it as passed (status 200-399). */
  healthCheck(checker: string | undefined, passed: boolean): void {
    if (!checker) return;
    this.checked = true;
    if (!this.streaks.has(checker) && this.streaks.size >= MAX_CHECKERS) this.streaks.delete(this.streaks.keys().next().value!);
    const streak = passed ? (this.streaks.get(checker) ?? 0) + 1 : 0;
    this.streaks.set(checker, streak);
    if (streak >= this.rise && this.admittedBy === undefined) this.admittedBy = checker;
  }

  state(nowMs: number, draining: boolean): Readiness {
    if (draining) return { ready: false, reason: 'draining: shutting down' };
    if (this.admittedBy !== undefined) return { ready: true, reason: `HAProxy at ${this.admittedBy} passed ${this.rise} health checks in a row` };
    if (!this.checked) {
      const waited = nowMs - this.startedAtMs;
      if (waited >= UNCHECKED_READY_AFTER_MS) return { ready: true, reason: `no HAProxy has checked this replica in ${Math.round(waited / 1000)} s: ready without it` };
      return { ready: false, reason: 'waiting for HAProxy\'s first health check' };
    }
    const best = Math.max(...this.streaks.values());
    return { ready: false, reason: `HAProxy's health checks: ${best} of ${this.rise} passed in a row` };
  }
}

/** HAProxy counts a check as passed on these statuses (haproxy/render: http-check expect status 200-399). */
export function checkPassed(status: number): boolean {
  return status >= 200 && status < 400;
}
