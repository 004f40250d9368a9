// What the operator's /readyz answers: ready once the orchestrator's API answers and the first
// full reconcile is done (every spec and every owner found by the first resync reconciled once),
// and while the last call to that API got an answer. Until then the reason says what it waits for.
export interface ReadinessState { ready: boolean; reason: string }

export class Readiness {
  private stage = 'starting';
  private reachable: boolean | undefined;
  private lastError = '';
  /** Keys of the first successful resync not reconciled yet; undefined before that resync. */
  private firstPass: Set<string> | undefined;

  /** Before the backend is connected: what the operator is doing (e.g. "waiting for Docker at ..."). */
  waiting(stage: string): void {
    this.stage = stage;
  }

  /** The outcome of a call to the orchestrator's API. */
  backend(up: boolean, error?: string): void {
    this.reachable = up;
    if (!up) this.lastError = error ?? 'unreachable';
  }

  /** The names the first successful resync enqueued (later resyncs change nothing). */
  resynced(names: Iterable<string>): void {
    this.firstPass ??= new Set(names);
  }

  /** A key was reconciled (whatever the outcome: a terminal failure is shown in its status). */
  reconciled(name: string): void {
    this.firstPass?.delete(name);
  }

  state(): ReadinessState {
    if (this.reachable === false) return { ready: false, reason: `the orchestrator's API does not answer: ${this.lastError}` };
    if (this.firstPass === undefined) return { ready: false, reason: this.reachable === undefined ? this.stage : 'waiting for the first resync' };
    if (this.firstPass.size > 0) return { ready: false, reason: `first reconcile of ${this.firstPass.size} BalancedService(s) in progress: ${[...this.firstPass].sort().slice(0, 5).join(', ')}` };
    return { ready: true, reason: 'ok' };
  }
}
