// The bso CLI and operator run from this checkout's TypeScript (node --import tsx) for the cluster
// and exposure fault tests, so they exercise the code as it is, not a shared dist/ build.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT, startOperatorProcess, type OperatorProcess } from '../../e2e/support.js';

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
  return startOperatorProcess(port, logFile, { cli: cliArgs([]), env });
}
