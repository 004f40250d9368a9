// API replicas for tests: a small HTTP server and an agent-check server per replica, each on its
// own loopback address (127.0.0.N) with the same ports, as replicas in a Swarm have. The agent's
// answer can be changed while HAProxy polls it (ready 50%, maint, ...).
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';

export interface Replica {
  address: string;
  /** What the agent answers HAProxy, e.g. "ready 100%" or "maint". */
  agentReply: string;
  requests: number;
  close(): Promise<void>;
}

function listen(server: HttpServer | TcpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Starts a replica; port 0 picks free ports (then reuse them for the other replicas). */
export async function startReplica(address: string, httpPort: number, agentPort: number): Promise<Replica & { httpPort: number; agentPort: number }> {
  const replica = {
    address,
    agentReply: 'ready 100%',
    requests: 0,
    httpPort: 0,
    agentPort: 0,
    close: async () => {},
  };
  const http = createHttpServer((req, res) => {
    replica.requests += 1;
    req.resume();
    const body = `replica ${address}\n`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  http.keepAliveTimeout = 60_000;
  const agent = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.end(`${replica.agentReply}\n`);
  });
  replica.httpPort = await listen(http, address, httpPort);
  replica.agentPort = await listen(agent, address, agentPort);
  replica.close = async () => {
    http.closeAllConnections();
    await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => agent.close(r))]);
  };
  return replica;
}

/** A free TCP port on 127.0.0.1 (closed again: a tiny race, fine for tests). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server, '127.0.0.1', 0);
  await new Promise((r) => server.close(r));
  return port;
}
