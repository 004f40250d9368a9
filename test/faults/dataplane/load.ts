// Steady GET load at a fixed rate for the data-plane fault tests: every request is recorded (when
// it started, how long it took, the status or the socket error, and who answered), so a test can
// count what clients saw around a fault instead of trusting averages.
import { Agent, request } from 'node:http';

export interface RequestRecord {
  /** Date.now() when the request was sent. */
  at: number;
  ms: number;
  /** HTTP status, or 0 for a socket error or a client timeout. */
  status: number;
  error?: string;
  /** The `hostname` field of a JSON answer (bso-api's GET /), when there is one. */
  hostname?: string;
}

export interface FixedRateLoadOptions {
  url: string;
  /** Requests per second, spread evenly. */
  rate: number;
  /** Keep-alive connections to the load balancer (at most this many requests in flight). */
  connections: number;
  /** A request with no complete answer after this long counts as failed. */
  timeoutMs: number;
}

export class FixedRateLoad {
  readonly records: RequestRecord[] = [];
  private readonly agent: Agent;
  private readonly timer: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();
  /** Requests not sent because every connection was busy (the rate could not be held). */
  skipped = 0;

  constructor(private readonly options: FixedRateLoadOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.connections });
    this.timer = setInterval(() => this.fire(), 1000 / options.rate);
  }

  private fire(): void {
    if (this.pending.size >= this.options.connections) {
      this.skipped++;
      return;
    }
    const done = this.send().finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  private send(): Promise<void> {
    const at = Date.now();
    const started = performance.now();
    return new Promise<void>((resolve) => {
      let settled = false;
      const finish = (record: Omit<RequestRecord, 'at' | 'ms'>) => {
        if (settled) return;
        settled = true;
        this.records.push({ at, ms: performance.now() - started, ...record });
        resolve();
      };
      const req = request(this.options.url, { agent: this.agent, timeout: this.options.timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => finish({ status: res.statusCode ?? 0, hostname: hostnameOf(body) }));
        res.on('error', (error) => finish({ status: 0, error: error.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (error) => finish({ status: 0, error: error.message }));
      req.end();
    });
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<RequestRecord[]> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
    this.agent.destroy();
    return this.records;
  }
}

function hostnameOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { hostname?: unknown };
    return typeof parsed.hostname === 'string' ? parsed.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** Requests that did not get a 2xx/3xx answer. */
export function failedRequests(records: readonly RequestRecord[]): RequestRecord[] {
  return records.filter((r) => r.status < 200 || r.status >= 400);
}

/** "3 x 503, 1 x socket hang up": what the failed requests saw. */
export function describeFailures(records: readonly RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of failedRequests(records)) {
    const key = r.status === 0 ? (r.error ?? 'error') : String(r.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(', ') || 'none';
}

export function maxLatencyMs(records: readonly RequestRecord[]): number {
  return records.reduce((max, r) => Math.max(max, r.ms), 0);
}
