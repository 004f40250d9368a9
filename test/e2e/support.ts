// Helpers for end-to-end tests on a real dockerd and Swarm (run `npm run setup` first).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname;

export async function run(command: string, args: string[], options: { allowFailure?: boolean; input?: string } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const child = execFileAsync(command, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    if (options.input !== undefined) { child.child.stdin?.end(options.input); }
    const { stdout, stderr } = await child;
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    if (!options.allowFailure) throw new Error(`${command} ${args.join(' ')} failed (${e.code}): ${e.stderr ?? ''}${e.stdout ?? ''}`, { cause: error });
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

export async function bso(args: string[], input?: string) {
  return run(process.execPath, ['bin/bso.js', ...args], { allowFailure: true, input });
}

export async function waitFor<T>(description: string, timeoutMs: number, probe: () => Promise<T | undefined | false>, intervalMs = 500): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return { value, ms: Date.now() - started };
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

export interface OperatorProcess { child: ChildProcess; url: string; stop(signal?: NodeJS.Signals): Promise<void> }

/**
 * The operator (Swarm backend) on 0.0.0.0:port, its output appended to logFile. `cli` is how
 * `bso` is started (default: the build in dist/; fault tests pass a from-source command).
 */
export function startOperatorProcess(port: number, logFile: string, options: { cli?: string[]; env?: Record<string, string> } = {}): OperatorProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const cli = options.cli ?? ['bin/bso.js'];
  const child = spawn(process.execPath, [...cli, 'operator', '--backend=swarm', '--listen', `0.0.0.0:${port}`, '--resync', '5s'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stop: (signal = 'SIGTERM') => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill(signal);
    }),
  };
}

export async function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

export async function dockerJson<T>(args: string[]): Promise<T> {
  const { stdout } = await run('docker', args);
  return JSON.parse(stdout) as T;
}
