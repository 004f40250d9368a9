// A steady request stream through HAProxy for the cluster fault test: a fixed rate of GETs over
// keep-alive connections, each one recorded (when it was sent, how long it took, the status or
// the error, which replica answered), so the test counts what clients saw in each phase.
import { Agent, request } from 'node:http';

export interface StreamRecord {
  /** Date.now() when sent. */
  at: number;
  ms: number;
  /** HTTP status; 0 for a socket error or no answer within the timeout. */
  status: number;
  error?: string;
  hostname?: string;
}

export class RequestStream {
  readonly records: StreamRecord[] = [];
  private readonly agent: Agent;
  private readonly timer: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  /** Ticks with every connection busy (the rate was not held then). */
  skipped = 0;

  constructor(private readonly url: string, rate: number, private readonly connections: number, private readonly timeoutMs: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
    this.timer = setInterval(() => this.tick(), 1000 / rate);
  }

  private tick(): void {
    if (this.inFlight.size >= this.connections) { this.skipped++; return; }
    const sent = this.send().finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private send(): Promise<void> {
    const at = Date.now();
    const started = performance.now();
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (outcome: Omit<StreamRecord, 'at' | 'ms'>) => {
        if (done) return;
        done = true;
        this.records.push({ at, ms: performance.now() - started, ...outcome });
        resolve();
      };
      const req = request(this.url, { agent: this.agent, timeout: this.timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { body += chunk; });
        res.on('end', () => finish({ status: res.statusCode ?? 0, hostname: hostnameIn(body) }));
        res.on('error', (error) => finish({ status: 0, error: error.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) => finish({ status: 0, error: error.message }));
      req.end();
    });
  }

  /** The records sent in [from, to). */
  between(from: number, to: number): StreamRecord[] {
    return this.records.filter((r) => r.at >= from && r.at < to);
  }

  async stop(): Promise<StreamRecord[]> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
    this.agent.destroy();
    return this.records;
  }
}

function hostnameIn(body: string): string | undefined {
  try {
    const value = (JSON.parse(body) as { hostname?: unknown }).hostname;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function failed(records: readonly StreamRecord[]): StreamRecord[] {
  return records.filter((r) => r.status < 200 || r.status >= 400);
}

/** "0 of 1,234 failed" or "3 of 1,234 failed (2 x 503, 1 x socket hang up); 5 took over 1 s (max 5.1 s)". */
export function summarize(records: readonly StreamRecord[]): string {
  const bad = failed(records);
  const kinds = new Map<string, number>();
  for (const r of bad) {
    const key = r.status === 0 ? (r.error ?? 'error') : String(r.status);
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  const slow = records.filter((r) => r.ms > 1000);
  const maxMs = records.reduce((m, r) => Math.max(m, r.ms), 0);
  const what = bad.length ? ` (${[...kinds].map(([k, n]) => `${n} x ${k}`).join(', ')})` : '';
  return `${bad.length} of ${records.length.toLocaleString('en-US')} failed${what}; ${slow.length} took over 1 s (max ${(maxMs / 1000).toFixed(1)} s)`;
}
