// Running commands and waiting for conditions, for the bench and the tests that drive real parts:
// a command's output as a promise (its failure names the command and its stderr), docker's JSON,
// and polling until a probe returns a value.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `command` in the checkout's root; throws unless allowFailure (then code says how it ended). */
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

export async function dockerJson<T>(args: string[]): Promise<T> {
  const { stdout } = await run('docker', args);
  return JSON.parse(stdout) as T;
}

/**
 * Calls probe every intervalMs until it returns a value (not undefined or false); the value and
 * how long it took. Throws after timeoutMs with the description and the probe's last error.
 */
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
