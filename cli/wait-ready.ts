// `--wait`: polls the operator until each service reports Ready for its generation, printing a
// line whenever what it says changes.
import type { StatusAnswer } from './connect.js';

export interface WaitOptions {
  timeoutMs: number;
  print: (line: string) => void;
  fetch: (name: string) => Promise<StatusAnswer>;
  pollMs?: number;
}

export async function waitUntilReady(targets: ReadonlyArray<{ name: string; generation: number }>, options: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  const pending = new Map(targets.map((t) => [t.name, t.generation]));
  const said = new Map<string, string>();
  const started = Date.now();
  while (pending.size > 0) {
    for (const [name, generation] of [...pending]) {
      const answer = await options.fetch(name);
      let line: string;
      if (!answer.ok) line = `waiting: ${answer.reason}`;
      else {
        const status = answer.object.status;
        const ready = status?.conditions.find((c) => c.type === 'Ready');
        const degraded = status?.conditions.find((c) => c.type === 'Degraded' && c.status === 'True');
        if (!status || status.observedGeneration < generation) line = `waiting for the operator to pick up generation ${generation}`;
        else if (ready?.status === 'True') {
          options.print(`${name}: Ready: ${ready.message} (${elapsed(started)})`);
          pending.delete(name);
          continue;
        } else line = `${ready?.reason ?? 'Unknown'}: ${ready?.message ?? ''}${degraded ? ` [Degraded ${degraded.reason}: ${degraded.message}]` : ''}`;
      }
      if (said.get(name) !== line) {
        options.print(`${name}: ${line} (${elapsed(started)})`);
        said.set(name, line);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      options.print(`timed out after ${elapsed(started)}; not Ready: ${[...pending.keys()].join(', ')} (see bso describe NAME)`);
      return false;
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
  return true;
}

function elapsed(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)}s`;
}
