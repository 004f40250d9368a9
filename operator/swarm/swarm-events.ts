// Docker events as reconcile hints. Events can be missed; the reconciler resyncs regardless.
import type Docker from 'dockerode';
import { LABEL_OWNER, apiServiceName, haproxyServiceName, networkName, statsSecretName } from '../../contract/names.js';

interface DockerEvent { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } }

/** The suffixes bso's names add to a BalancedService's name (contract/names.ts). */
const SUFFIXES = [apiServiceName, haproxyServiceName, networkName, statsSecretName].map((nameOf) => nameOf(''));

/** The BalancedService an object name belongs to, by bso's naming; undefined when unknown. */
export function ownerFromObjectName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const spec = /^bso-spec-(.+)-g\d+$/.exec(name);
  if (spec) return spec[1];
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  return suffix ? name.slice(0, -suffix.length) : undefined;
}

export function watchSwarmEvents(docker: Docker, onHint: (name: string | undefined) => void, onError: (error: unknown) => void): () => void {
  let stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
  let stopped = false;
  docker.getEvents({ filters: { type: ['service', 'network', 'secret', 'config', 'container'] } } as Docker.GetEventsOptions).then((s) => {
    stream = s as typeof stream;
    if (stopped) { stream?.destroy?.(); return; }
    let buffer = '';
    s.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim()) handle(line);
      }
    });
    s.on('error', (error: unknown) => { if (!stopped) onError(error); });
    s.on('end', () => { if (!stopped) onError(new Error('the Docker event stream ended')); });
  }, (error: unknown) => { if (!stopped) onError(error); });

  function handle(line: string): void {
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch {
      return;
    }
    const attributes = event.Actor?.Attributes ?? {};
    if (event.Type === 'container') {
      const owner = attributes[LABEL_OWNER] ?? ownerFromObjectName(attributes['com.docker.swarm.service.name']);
      if (owner && /^(die|start|kill|oom|destroy)$/.test(event.Action ?? '')) onHint(owner);
      return;
    }
    onHint(attributes[LABEL_OWNER] ?? ownerFromObjectName(attributes.name));
  }

  return () => {
    stopped = true;
    stream?.destroy?.();
  };
}
