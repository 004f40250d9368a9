// Long-lived, mostly idle HTTP/1.1 keep-alive clients for the reload fault test: each holds one
// connection through HAProxy, sends a GET every few seconds (inside HAProxy's keep-alive timeout,
// so only a reload or a fault closes it) and, when the connection is closed, notes whether a
// request was in flight (a failed request) or not (an idle close) and connects again.
import { connect, type Socket } from 'node:net';

export interface IdleClientStats {
  /** Connections open now. */
  open: number;
  connects: number;
  requests: number;
  answered: number;
  /** Connections closed by the server while idle (no request outstanding). */
  idleCloses: number;
  /** Requests whose connection closed (or failed) before a complete answer. */
  failedRequests: number;
  /** Date.now() of every idle close, to line them up with reloads. */
  idleCloseTimes: number[];
}

export interface IdleClientOptions {
  host: string;
  port: number;
  count: number;
  /** Pause between two requests on one connection: random in [min, max] ms. */
  pauseMs: [number, number];
}

export class IdleClients {
  readonly stats: IdleClientStats = { open: 0, connects: 0, requests: 0, answered: 0, idleCloses: 0, failedRequests: 0, idleCloseTimes: [] };
  private readonly sockets = new Set<Socket>();
  private stopped = false;

  constructor(private readonly options: IdleClientOptions) {
    for (let i = 0; i < options.count; i++) this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const socket = connect({ host: this.options.host, port: this.options.port });
    this.sockets.add(socket);
    this.stats.connects++;
    let buffer = '';
    let inFlight = false;
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const send = () => {
      if (socket.destroyed || this.stopped) return;
      inFlight = true;
      this.stats.requests++;
      socket.write(`GET / HTTP/1.1\r\nHost: bso\r\n\r\n`);
    };
    const schedule = () => {
      const [min, max] = this.options.pauseMs;
      timer = setTimeout(send, min + Math.random() * (max - min));
    };
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      connected = true;
      this.stats.open++;
      send();
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.slice(end + 4 + length);
        if (inFlight) {
          inFlight = false;
          this.stats.answered++;
          schedule();
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(socket);
      if (connected) this.stats.open--;
      if (this.stopped) return;
      if (inFlight) this.stats.failedRequests++;
      else {
        this.stats.idleCloses++;
        this.stats.idleCloseTimes.push(Date.now());
      }
      setTimeout(() => this.open(), 20);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
