// `bso rollout status`: follows a BalancedService's replicas to the spec's revision, printing a
// line whenever the operator's account of it changes (status.rollout, rollout-progress.ts), until
// the rollout completes, fails or the time is up.
import type { StatusAnswer } from './connect.js';

export type RolloutOutcome = 'complete' | 'failed' | 'timeout' | 'pending';

export interface FollowOptions {
  /** The generation the rollout must be of (the stored spec's): an older status is not its answer. */
  generation: number;
  timeoutMs: number;
  /** false: say where it stands once and return (`--no-watch`). */
  watch: boolean;
  print: (line: string) => void;
  fetch: () => Promise<StatusAnswer>;
  pollMs?: number;
}

export async function followRollout(name: string, options: FollowOptions): Promise<RolloutOutcome> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let said = '';
  for (;;) {
    const answer = await options.fetch();
    let line: string;
    let outcome: RolloutOutcome = 'pending';
    if (!answer.ok) line = `waiting: ${answer.reason}`;
    else {
      const status = answer.object.status;
      const rollout = status?.rollout;
      if (!status || status.observedGeneration < options.generation) line = `waiting for the operator to pick up generation ${options.generation}`;
      else if (!rollout) line = 'waiting: the operator shows no rollout yet';
      else {
        line = `${rollout.state === 'Complete' ? 'rollout complete' : rollout.state === 'Failed' ? 'rollout failed' : 'rolling out'}: ${rollout.message}`;
        outcome = rollout.state === 'Complete' ? 'complete' : rollout.state === 'Failed' ? 'failed' : 'pending';
      }
    }
    const stamped = options.watch ? `${name}: ${line} (${elapsed(started)})` : `${name}: ${line}`;
    if (line !== said) options.print(stamped);
    said = line;
    if (outcome !== 'pending' || !options.watch) return outcome;
    if (Date.now() > deadline) {
      options.print(`${name}: timed out after ${elapsed(started)}; the rollout goes on (see bso describe ${name})`);
      return 'timeout';
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
}

function elapsed(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)}s`;
}
