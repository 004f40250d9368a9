// Talks to HAProxy's CLI over a unix socket in non-interactive mode: one line of commands in,
// the whole answer out (HAProxy closes the connection when done). Used for the master socket
// (`show proc`, `reload`, `@!<pid> <command>` for a given worker) and the runtime API.
import { connect } from 'node:net';

export class RuntimeApiError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'RuntimeApiError';
    this.code = code;
  }
}

export function sendCommand(socketPath: string, command: string, timeoutMs = 10_000): Promise<string> {
  if (command.includes('\n')) return Promise.reject(new RuntimeApiError('a CLI command is one line'));
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    socket.setTimeout(timeoutMs, () => finish(new RuntimeApiError(`${socketPath}: no answer to "${command.slice(0, 80)}" within ${timeoutMs} ms`, 'ETIMEDOUT')));
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // `reload` makes the master re-execute itself: the connection may be reset under us.
      if (chunks.length > 0 || error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else finish(new RuntimeApiError(`${socketPath}: ${error.message}`, error.code));
    });
  });
}

/** Runs commands on one worker through the master socket, in batches; returns the answers that are not empty (errors). */
export async function runOnWorker(masterSocket: string, pid: number, commands: readonly string[], batchSize = 50): Promise<string[]> {
  const errors: string[] = [];
  for (let i = 0; i < commands.length; i += batchSize) {
    const batch = commands.slice(i, i + batchSize);
    const answer = await sendCommand(masterSocket, batch.map((c) => `@!${pid} ${c}`).join('; '));
    const text = answer.trim();
    if (text !== '') errors.push(`${batch[0]}${batch.length > 1 ? ` (and ${batch.length - 1} more)` : ''}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return errors;
}
