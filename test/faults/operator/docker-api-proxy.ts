// A Docker API proxy for fault tests: listens on a unix socket, forwards every request to the
// real dockerd (/var/run/docker.sock) and lets a test break the path in between, with no hooks
// in product code. A process started with DOCKER_HOST=unix://<proxy.socketPath> talks to it.
//   - counts writes (POST/PUT/DELETE), can freeze (hold every later request) the moment dockerd
//     has answered the Nth one, and runs a callback once that answer was forwarded (row 1:
//     SIGKILL after write N, with nothing else reaching dockerd in between);
//   - holds /events streams open without passing any event on (row 2: events cut off);
//   - refuses every connection while down (row 4: Docker API unavailable) and counts them;
//   - delays chosen requests before forwarding them (row 3: a concurrent writer goes first).
import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProxiedRequest { method: string; path: string; status?: number; at: number; body?: string }

export interface DockerApiProxyOptions {
  /** The real Docker socket. */
  target?: string;
  /**
   * Asked when dockerd has answered the Nth write (n counts from 1), before the answer is passed
   * on: true freezes the proxy first, so the client cannot send anything else before onWrite.
   */
  freezeAfterWrite?: (n: number) => boolean;
  /** Called after the response of each write was forwarded in full. */
  onWrite?: (n: number, request: ProxiedRequest) => void;
  /** Awaited before a request is forwarded: return a promise to delay it. */
  beforeForward?: (request: ProxiedRequest) => Promise<void> | void;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE']);

export class DockerApiProxy {
  readonly socketPath: string;
  readonly requests: ProxiedRequest[] = [];
  writes = 0;
  /** Connections refused while down, and when. */
  refused = 0;
  readonly refusedAt: number[] = [];
  private readonly dir: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  private frozen = false;
  private eventsCut = false;
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly options: DockerApiProxyOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'bso-docker-proxy-'));
    this.socketPath = join(this.dir, 'docker.sock');
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      if (this.down) {
        this.refused++;
        this.refusedAt.push(Date.now());
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
    return this;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Holds every request from now on (never forwarded) until thaw(). */
  freeze(): void { this.frozen = true; }

  /** Forwards again; requests held while frozen are dropped with their connections. */
  thaw(): void {
    this.frozen = false;
    this.dropConnections();
  }

  /** Refuses every connection (open ones are cut, as when dockerd stops) until setDown(false). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.dropConnections();
  }

  /** /events answers 200 and then stays silent (open streams are cut and come back silent). */
  cutEvents(cut: boolean): void {
    this.eventsCut = cut;
    if (cut) for (const socket of this.sockets) socket.destroy();
  }

  /** Writes (POST/PUT/DELETE) seen so far, in order. */
  writeRequests(): ProxiedRequest[] {
    return this.requests.filter((r) => WRITE_METHODS.has(r.method));
  }

  private dropConnections(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
    for (const socket of this.sockets) socket.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now(), body: body.length ? body.toString('utf8') : undefined };
    this.requests.push(record);
    if (this.frozen) { this.held.add(res); return; }
    if (this.eventsCut && /^(\/v[\d.]+)?\/events/.test(record.path)) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      this.held.add(res);
      return;
    }
    await this.options.beforeForward?.(record);
    if (this.frozen || this.down) { res.destroy(); return; }
    const upstream = httpRequest({ socketPath: this.options.target ?? '/var/run/docker.sock', method: req.method, path: req.url, headers: req.headers }, (answer) => {
      record.status = answer.statusCode;
      const n = WRITE_METHODS.has(record.method) ? ++this.writes : 0;
      if (n > 0 && this.options.freezeAfterWrite?.(n)) this.freeze();
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      res.once('finish', () => { if (n > 0) this.options.onWrite?.(n, record); });
    });
    upstream.once('error', () => res.destroy());
    res.once('close', () => upstream.destroy());
    upstream.end(body);
  }
}
