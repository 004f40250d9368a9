// A child process for the agent-port row: opens COUNT connections to the agent at once (from its
// own process, whose open-file limit the parent raises), collects what each receives until the
// agent closes it, and prints one JSON line: replies by text, errors by code, its fd limit.
// Usage: node --import tsx test/faults/input/agent-flood.ts PORT COUNT
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface FloodResult {
  tried: number;
  replies: Record<string, number>;
  errors: Record<string, number>;
  ms: number;
  fdLimit: string;
}

function once(port: number): Promise<{ reply?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(30_000, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(data ? { reply: data } : { error: error.code ?? error.message }));
    socket.on('close', () => resolve(data ? { reply: data } : { error: 'closed without a reply' }));
  });
}

/** The soft limit on open files of this process, from /proc/self/limits. */
function fdLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return line?.split(/\s{2,}/)[1] ?? 'unknown';
}

const [port, count] = process.argv.slice(2).map(Number);
if (!port || !count) {
  console.error('usage: test/faults/input/agent-flood.ts PORT COUNT');
  process.exit(2);
}
const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: count }, () => once(port)));
const result: FloodResult = { tried: count, replies: {}, errors: {}, ms: performance.now() - started, fdLimit: fdLimit() };
for (const o of outcomes) {
  if (o.reply !== undefined) result.replies[o.reply] = (result.replies[o.reply] ?? 0) + 1;
  else result.errors[o.error!] = (result.errors[o.error!] ?? 0) + 1;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
