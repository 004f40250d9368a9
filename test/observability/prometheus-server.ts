// Test helpers: a real Prometheus (Debian's package) on loopback with a fresh TSDB in a tmp dir,
// its HTTP API, and promtool. Nothing here knows about bso.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningPrometheus {
  url: string;
  dir: string;
  child: ChildProcess;
  output(): string;
  /** An instant query; throws with Prometheus's error when the expression is rejected. */
  query(expr: string, time?: number): Promise<PromSample[]>;
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<PromRangeSeries[]>;
  targets(): Promise<TargetsAnswer>;
  stop(): Promise<void>;
}

export interface PromSample { metric: Record<string, string>; value: [number, string] }
export interface PromRangeSeries { metric: Record<string, string>; values: Array<[number, string]> }
export interface ActiveTarget { labels: Record<string, string>; discoveredLabels: Record<string, string>; scrapePool: string; scrapeUrl: string; health: string; lastError: string }
export interface TargetsAnswer { activeTargets: ActiveTarget[]; droppedTargets: Array<{ discoveredLabels: Record<string, string> }> }

/** A port that was free a moment ago (Prometheus cannot listen on port 0 and say which it got). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Prometheus with `config` (YAML text) written to DIR/prometheus.yml; `files` are written
 * next to it (rule files, file_sd target files). Resolves once /-/ready answers.
 */
export async function startPrometheus(config: string, files: Record<string, string> = {}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'bso-prometheus-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1h',
    '--log.level=warn',
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${text}`);
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready within 30 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${body.errorType ?? 'error'}: ${body.error ?? response.status}`);
    return body.data;
  };
  return {
    url,
    dir,
    child,
    output: () => text,
    async query(expr, time) {
      const params: Record<string, string> = { query: expr };
      if (time !== undefined) params['time'] = String(time);
      return (await api<{ result: PromSample[] }>('/api/v1/query', params)).result;
    },
    async queryRange(expr, start, end, stepSeconds) {
      return (await api<{ result: PromRangeSeries[] }>('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(stepSeconds) })).result;
    },
    async targets() {
      const response = await fetch(`${url}/api/v1/targets`, { signal: AbortSignal.timeout(10_000) });
      return ((await response.json()) as { data: TargetsAnswer }).data;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ToolResult { status: number | null; output: string }

/** Runs promtool; `input` goes to its standard input. */
export function runPromtool(args: string[], options: { input?: string; cwd?: string } = {}): ToolResult {
  const result = spawnSync('promtool', args, { input: options.input, cwd: options.cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Polls until `probe` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
