// Before a reload: are the ports the new config adds free? On HAProxy 2.6 a reload that cannot
// bind pauses the old worker's listeners while it retries (new connections are refused for about
// a second) before giving up; finding the busy port first avoids that. The reload's own
// verification still catches a port taken in between.
import { createServer } from 'node:net';
import { tokenizeConfig } from '../render/config-tokens.js';

export interface BindAddress { host: string; port: number }

/** `bind` addresses in `next` that `current` does not have (the ones HAProxy must bind anew). */
export function addedBinds(current: string | undefined, next: string): BindAddress[] {
  const have = new Set(current === undefined ? [] : bindsOf(current).map(key));
  return bindsOf(next).filter((b) => !have.has(key(b)));
}

export function bindsOf(text: string): BindAddress[] {
  const binds: BindAddress[] = [];
  for (const line of tokenizeConfig(text)) {
    if (line.tokens[0] !== 'bind') continue;
    for (const address of (line.tokens[1] ?? '').split(',')) {
      const m = /^(?:ipv4@)?([0-9.]*|\*):([0-9]{1,5})$/.exec(address);
      if (m) binds.push({ host: m[1] === '' || m[1] === '*' ? '0.0.0.0' : m[1]!, port: Number(m[2]) });
    }
  }
  return binds;
}

/** The addresses someone else listens on already ("host:port"). Other errors are left to HAProxy. */
export async function busyBinds(binds: readonly BindAddress[]): Promise<string[]> {
  const busy: string[] = [];
  for (const bind of binds) {
    const inUse = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
      server.listen({ host: bind.host, port: bind.port, exclusive: true }, () => server.close(() => resolve(false)));
    });
    if (inUse) busy.push(key(bind));
  }
  return busy;
}

function key(bind: BindAddress): string {
  return `${bind.host}:${bind.port}`;
}
