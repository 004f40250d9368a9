// The shared Docker lock (/tmp/bso-docker.lock) around a scenario's Docker part: several people
// and test runs share one dockerd and only one bso operator may run on the Swarm. Held through a
// `flock` child that keeps the lock until its stdin closes. Set BSO_DOCKER_LOCK_HELD=1 when the
// caller already holds it (e.g. `flock /tmp/bso-docker.lock npm run bench`), or it would wait forever.
import { spawn } from 'node:child_process';

export const DOCKER_LOCK = process.env.BSO_DOCKER_LOCK ?? '/tmp/bso-docker.lock';

export async function withDockerLock<T>(work: () => Promise<T>, log: (line: string) => void, timeoutMs = 15 * 60_000, lockFile = DOCKER_LOCK): Promise<T> {
  if (process.env.BSO_DOCKER_LOCK_HELD === '1') return work();
  const child = spawn('flock', ['--timeout', String(Math.round(timeoutMs / 1000)), lockFile, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = setTimeout(() => log(`waiting for ${lockFile} (someone else uses Docker)...`), 2000);
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('locked')) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`could not take ${lockFile} (flock exited ${code})`)));
    });
  } finally {
    clearTimeout(waiting);
  }
  try {
    return await work();
  } finally {
    child.stdin!.end();
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  }
}
