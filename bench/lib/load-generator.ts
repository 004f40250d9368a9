// An open-loop HTTP load generator: requests go out at a fixed rate whatever the answers do, and
// each latency counts from the request's intended send time (bench/lib/load-schedule.ts). Every
// answer is attributed to the replica that wrote it (bso-api puts its hostname in the JSON body).
import { Agent, request } from 'node:http';
import { dueCount, intendedSendMs, totalRequests, type RequestRecord } from './load-schedule.js';

export interface OpenLoopOptions {
  host: string;
  port: number;
  path: string;
  ratePerSecond: number;
  durationMs: number;
  /** A request not answered within this is a failure (status 0). Default 10 s. */
  timeoutMs?: number;
  /** Connections the generator may open (more requests wait in its queue, and that counts). */
  maxSockets?: number;
  /** Called about every 50 ms with the ms since the start: scenarios act on a timeline. */
  onTick?: (elapsedMs: number) => void;
}

export interface OpenLoopResult {
  records: RequestRecord[];
  /** performance.now() at the intended time of request 0. */
  startedAt: number;
  /** How far behind its schedule the generator itself fell at worst, ms (its own lag). */
  maxLagMs: number;
}

const HOSTNAME = /"hostname":"([^"]*)"/;

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const total = totalRequests(options.ratePerSecond, options.durationMs);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 512 });
  const records: RequestRecord[] = new Array(total);
  let sent = 0;
  let done = 0;
  let maxLagMs = 0;
  let lastTick = -Infinity;
  const startedAt = performance.now();

  const send = (index: number) => {
    const intended = intendedSendMs(index, options.ratePerSecond);
    maxLagMs = Math.max(maxLagMs, performance.now() - startedAt - intended);
    let finished = false;
    const finish = (status: number, host: string) => {
      if (finished) return;
      finished = true;
      records[index] = { intendedMs: intended, latencyMs: performance.now() - startedAt - intended, status, host };
      done++;
    };
    const req = request({ agent, host: options.host, port: options.port, path: options.path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { if (body.length < 4096) body += chunk; });
      res.on('end', () => finish(res.statusCode ?? 0, HOSTNAME.exec(body)?.[1] ?? ''));
      res.on('error', () => finish(0, ''));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(0, ''));
    req.end();
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - startedAt;
      const due = dueCount(elapsed, options.ratePerSecond, total);
      while (sent < due) send(sent++);
      if (options.onTick && elapsed - lastTick >= 50) {
        lastTick = elapsed;
        options.onTick(elapsed);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // Every request ends: answered, failed, or timed out.
  while (done < total) await new Promise((r) => setTimeout(r, 20));
  agent.destroy();
  return { records, startedAt, maxLagMs };
}
