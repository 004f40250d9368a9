// `--wait`: polls the operator until each service reports Ready for its generation and every
// replica is UP in HAProxy, printing a line whenever what it says changes; on timeout it names
// the servers that are not UP.
import type { ServerStatus } from '../operator/core/service-status.js';
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
  const notUp = new Map<string, string>();
  while (pending.size > 0) {
    for (const [name, generation] of [...pending]) {
      const answer = await options.fetch(name);
      let line: string;
      if (!answer.ok) line = `waiting: ${answer.reason}`;
      else {
        const status = answer.object.status;
        const ready = status?.conditions.find((c) => c.type === 'Ready');
        const degraded = status?.conditions.find((c) => c.type === 'Degraded' && c.status === 'True');
        const lagging = status ? serversNotUp(status.servers, status.replicas) : '';
        if (!status || status.observedGeneration < generation) line = `waiting for the operator to pick up generation ${generation}`;
        else if (ready?.status === 'True' && lagging === '') {
          options.print(`${name}: Ready: ${ready.message} (${elapsed(started)})`);
          pending.delete(name);
          notUp.delete(name);
          continue;
        } else if (ready?.status === 'True') {
          line = `waiting for every replica to be UP in HAProxy: ${lagging}`;
          notUp.set(name, lagging);
        } else line = `${ready?.reason ?? 'Unknown'}: ${ready?.message ?? ''}${degraded ? ` [Degraded ${degraded.reason}: ${degraded.message}]` : ''}`;
      }
      if (said.get(name) !== line) {
        options.print(`${name}: ${line} (${elapsed(started)})`);
        said.set(name, line);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      const which = [...pending.keys()].map((name) => (notUp.has(name) ? `${name} (${notUp.get(name)})` : name));
      options.print(`timed out after ${elapsed(started)}; not Ready: ${which.join(', ')} (see bso describe NAME)`);
      return false;
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
  return true;
}

/** '' when `replicas` servers are UP, else e.g. "2/3 UP; not UP: replica3 (hello-api.3) DOWN". */
export function serversNotUp(servers: readonly ServerStatus[], replicas: number): string {
  const up = servers.filter((s) => s.state === 'UP').length;
  if (up >= replicas) return '';
  const others = servers.filter((s) => s.state !== 'UP').map((s) => `${s.name}${s.task ? ` (${s.task})` : ''} ${s.state}`);
  return `${up}/${replicas} UP${others.length ? `; not UP: ${others.join(', ')}` : '; HAProxy has not reported the others yet'}`;
}

function elapsed(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)}s`;
}
