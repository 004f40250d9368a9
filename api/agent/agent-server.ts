// The TCP side of HAProxy's agent-check: on every connection, write the current reply line and
// close. Nothing the peer sends is read into memory or changes the reply. Every socket has an
// error handler and a hard deadline, and the number of open sockets is capped, so resets,
// half-open peers, slow or flooding clients cannot crash the process or grow its memory.
// At the cap the OLDEST socket is closed, never the new one: every socket was sent its reply
// when it connected, so the old ones only linger (slow or silent peers), while a newcomer may
// be HAProxy asking now (refusing newcomers answered its checks with nothing under a flood).
import { createServer, type Server, type Socket } from 'node:net';

export interface AgentServerOptions {
  port: number;
  host?: string;
  /** The line to send now (newline included) to the peer at `address`; called once per connection. */
  reply: (address: string | undefined) => string;
  /** A socket is destroyed this long after it connected, whatever it does. */
  socketDeadlineMs: number;
  /** At most this many sockets are open: a new connection closes the oldest open one. */
  maxConnections: number;
  onReply?: (line: string) => void;
  onSocketError?: (error: Error) => void;
  /** Errors of the listening socket after it started (e.g. EMFILE on accept). */
  onServerError?: (error: Error) => void;
}

export interface AgentServer {
  readonly port: number;
  openConnections(): number;
  close(): Promise<void>;
}

export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: false, noDelay: true, pauseOnConnect: false }, (socket) => {
    if (sockets.size >= options.maxConnections) {
      const oldest = sockets.values().next().value as Socket;
      sockets.delete(oldest);
      oldest.destroy();
    }
    sockets.add(socket);
    const deadline = setTimeout(() => socket.destroy(), options.socketDeadlineMs);
    socket.once('close', () => {
      clearTimeout(deadline);
      sockets.delete(socket);
    });
    socket.on('error', (error) => {
      options.onSocketError?.(error);
      socket.destroy();
    });
    // Discard whatever the peer sends (agent-send strings, garbage) without buffering it.
    socket.resume();
    const line = options.reply(normalizeAddress(socket.remoteAddress));
    socket.end(line);
    options.onReply?.(line);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ port: options.port, host: options.host, backlog: 4096 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => options.onServerError?.(error));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    port,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** ::ffff:10.0.0.5 and 10.0.0.5 are the same peer. */
function normalizeAddress(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}
