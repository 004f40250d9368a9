// The bso CLI and operator run from this checkout's TypeScript (node --import tsx) for the cluster
// and exposure fault tests, so they exercise the code as it is, not a shared dist/ build.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { ROOT, type OperatorProcess } from '../e2e/support.js';

const execFileAsync = promisify(execFile);
const CLI = `import { main } from './cli/main.ts'; process.exitCode = await main(['node', 'bso', ...process.argv.slice(1)]);`;
const cliArgs = (args: string[]) => ['--import', 'tsx', '--input-type=module', '-e', CLI, ...args];

/** `bso ARGS` from source; never throws (the exit code and the output come back). */
export async function bsoSource(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, cliArgs(args), { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The operator (Swarm backend) from source on 0.0.0.0:port; its output goes to logFile. */
export function startOperatorSource(port: number, logFile: string, env: Record<string, string> = {}): OperatorProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, cliArgs(['operator', '--backend=swarm', '--listen', `0.0.0.0:${port}`, '--resync', '5s']), {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
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
