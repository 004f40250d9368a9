// Helpers for end-to-end tests on a real dockerd and Swarm (run `npm run setup` first).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { run } from '../../bench/lib/run.js';

// The bench's command and polling helpers, which the e2e and fault tests use as they are.
export { dockerJson, run, waitFor } from '../../bench/lib/run.js';
export const ROOT = new URL('../..', import.meta.url).pathname;

export async function bso(args: string[], input?: string) {
  return run(process.execPath, ['bin/bso.js', ...args], { allowFailure: true, input });
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
