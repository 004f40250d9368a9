// Steady load from a real load generator (wrk) while a test changes things. wrk is stopped with
// SIGINT when the test is done and reports through a Lua script: requests, socket errors
// (connect, read, write, timeout) and responses with a status >= 400.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadResult {
  requests: number;
  errors: { connect: number; read: number; write: number; timeout: number; status: number };
  /** Every request that did not get a 2xx/3xx answer (socket errors and error statuses). */
  failed: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Pause of each connection between requests, to keep the load steady and leave CPU for the test. */
  delayMs: number;
  /** Send Connection: close (a new connection per request) instead of keep-alive. */
  close: boolean;
  wrk?: string;
}

export class Load {
  private constructor(private readonly child: ChildProcess, private readonly result: Promise<LoadResult>) {}

  static start(options: LoadOptions): Load {
    const dir = mkdtempSync(join(tmpdir(), 'bso-wrk-'));
    const script = join(dir, 'report.lua');
    writeFileSync(script, [
      options.close ? 'wrk.headers["Connection"] = "close"' : '',
      `function delay() return ${Math.max(0, Math.round(options.delayMs))} end`,
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      '  io.write(string.format("BSO-RESULT %d %d %d %d %d %d\\n", summary.requests, e.connect, e.read, e.write, e.timeout, e.status))',
      'end',
    ].join('\n'));
    const child = spawn(options.wrk ?? 'wrk', ['-t1', `-c${options.connections}`, '-d3600s', '--timeout', '10s', '-s', script, options.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const result = new Promise<LoadResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => {
        const m = /BSO-RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(output);
        if (!m) return reject(new Error(`wrk gave no result: ${output.slice(-500)}`));
        const [requests, connect, read, write, timeout, status] = m.slice(1).map(Number) as [number, number, number, number, number, number];
        resolve({ requests, errors: { connect, read, write, timeout, status }, failed: connect + read + write + timeout + status });
      });
    });
    return new Load(child, result);
  }

  stop(): Promise<LoadResult> {
    this.child.kill('SIGINT');
    return this.result;
  }
}
