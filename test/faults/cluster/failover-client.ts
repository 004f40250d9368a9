// A client of several HAProxy instances, as docs/several-nodes.md tells clients to be: it spreads
// its GETs over the instances' addresses and, when one fails (an error, no answer in time), sends
// the same GET again to another and leaves the failed address out for a while. Every GET is
// recorded with its first attempt, so a test counts both what the lost instance cost (first
// attempts that failed) and what the client saw (GETs that failed on every address).
import { Agent, request } from 'node:http';

export interface FailoverRecord {
  /** Date.now() when the GET was first sent. */
  at: number;
  ms: number;
  /** The address of the first attempt, and how it ended (status, 0 = error or no answer). */
  first: { address: string; status: number; error?: string };
  /** The final answer: the first attempt's, or the retry's. */
  status: number;
  retriedOn?: string;
}

export interface FailoverOptions {
  /** host:port of each HAProxy instance's frontend. */
  addresses: string[];
  rate: number;
  /** Per attempt: no complete answer after this long is a failure. */
  attemptTimeoutMs: number;
  /** How long a failed address is left out. */
  holdDownMs: number;
}

export class FailoverClient {
  readonly records: FailoverRecord[] = [];
  private readonly agents: Map<string, Agent>;
  private readonly downUntil = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private next = 0;

  constructor(private readonly options: FailoverOptions) {
    this.agents = new Map(options.addresses.map((a) => [a, new Agent({ keepAlive: true, maxSockets: 50 })]));
    this.timer = setInterval(() => this.tick(), 1000 / options.rate);
  }

  private pick(except?: string): string | undefined {
    const now = Date.now();
    const candidates = this.options.addresses.filter((a) => a !== except && (this.downUntil.get(a) ?? 0) <= now);
    const pool = candidates.length > 0 ? candidates : this.options.addresses.filter((a) => a !== except);
    if (pool.length === 0) return undefined;
    return pool[this.next++ % pool.length];
  }

  private tick(): void {
    const sent = this.get().finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private async get(): Promise<void> {
    const at = Date.now();
    const started = performance.now();
    const address = this.pick()!;
    const first = await this.attempt(address);
    if (first.status >= 200 && first.status < 400) {
      this.records.push({ at, ms: performance.now() - started, first: { address, ...first }, status: first.status });
      return;
    }
    this.downUntil.set(address, Date.now() + this.options.holdDownMs);
    const other = this.pick(address);
    const retry = other ? await this.attempt(other) : first;
    this.records.push({ at, ms: performance.now() - started, first: { address, ...first }, status: retry.status, ...(other ? { retriedOn: other } : {}) });
  }

  private attempt(address: string): Promise<{ status: number; error?: string }> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: { status: number; error?: string }) => { if (!done) { done = true; resolve(outcome); } };
      const req = request(`http://${address}/`, { agent: this.agents.get(address), timeout: this.options.attemptTimeoutMs }, (res) => {
        res.resume();
        res.on('end', () => finish({ status: res.statusCode ?? 0 }));
        res.on('error', (error) => finish({ status: 0, error: error.message }));
      });
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${this.options.attemptTimeoutMs} ms`)), this.options.attemptTimeoutMs);
      req.on('close', () => clearTimeout(deadline));
      req.on('error', (error) => finish({ status: 0, error: error.message }));
      req.end();
    });
  }

  async stop(): Promise<FailoverRecord[]> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
    for (const agent of this.agents.values()) agent.destroy();
    return this.records;
  }
}

export const succeeded = (status: number) => status >= 200 && status < 400;
