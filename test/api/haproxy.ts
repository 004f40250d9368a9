// Test helper: a real haproxy (Debian's) in the foreground with an admin socket in a tmp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface RunningHAProxy {
  child: ChildProcess;
  socket: string;
  command(text: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startHAProxy(dir: string, config: (socket: string) => string): Promise<RunningHAProxy> {
  const socket = join(dir, 'admin.sock');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config(socket));
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const command = (text: string) => runtimeCommand(socket, text);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
    try {
      await command('show info');
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`haproxy admin socket not up: ${(error as Error).message}\n${output}`, { cause: error });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    child,
    socket,
    command,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function runtimeCommand(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error('runtime API timeout')));
    socket.on('connect', () => socket.write(`${text}\n`));
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(data));
  });
}

export interface ServerStatus {
  /** show stat's status column: UP, MAINT, DRAIN, DOWN, ... */
  status: string;
  weight: number;
  /** show servers state's srv_admin_state bits (1 = maint forced by the agent or CLI). */
  adminState: number;
  opState: number;
  uweight: number;
}

/** The state of one server as both `show stat` and `show servers state` report it. */
export async function readServer(haproxy: RunningHAProxy, backend: string, server: string): Promise<ServerStatus> {
  const stat = parseTable((await haproxy.command('show stat')).replace(/^# /, ''), ',');
  const row = stat.find((r) => r['pxname'] === backend && r['svname'] === server);
  const stateText = (await haproxy.command(`show servers state ${backend}`)).split('\n').slice(1).join('\n').replace(/^# /, '');
  const state = parseTable(stateText, ' ').find((r) => r['srv_name'] === server);
  if (!row || !state) throw new Error(`server ${backend}/${server} not found`);
  return {
    status: row['status']!,
    weight: Number(row['weight']),
    adminState: Number(state['srv_admin_state']),
    opState: Number(state['srv_op_state']),
    uweight: Number(state['srv_uweight']),
  };
}

function parseTable(text: string, separator: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(separator);
  return lines.slice(1).map((line) => Object.fromEntries(line.split(separator).map((v, i) => [header[i] ?? `c${i}`, v])));
}
