// A local data plane for the agent fault tests: real bso-api processes (their cgroup a fake tree
// the test drives) behind a real HAProxy running the config bso renders for the spec, with the
// server-template (DNS slots) swapped for one `server` line per local replica, since each local
// replica has its own ports. Everything else (checks, agent-check, retries) is the rendered text.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BalancedService } from '../../../crd/types.generated.js';
import { renderServiceConfig } from '../../../haproxy/render/render-service.js';
import { parseShowStat, type ServerReport } from '../../../haproxy/supervisor/show-stat.js';
import { runtimeCommand } from '../../api/haproxy.js';

export interface LocalReplica { httpPort: number; agentPort: number }

const TEMPLATE = /^(\s+)server-template (\S+) \d+ \S+ resolvers \S+ resolve-prefer ipv4 init-addr last,none (.* agent-port )\d+( .*)$/m;

/** The rendered config of `spec` with one server per local replica (named <prefix>1..n). */
export function renderLocalConfig(spec: BalancedService, dir: string, replicas: readonly LocalReplica[]): { text: string; socket: string } {
  const socket = join(dir, 'runtime.sock');
  const { text } = renderServiceConfig(spec, {
    discovery: { kind: 'swarm', nameserver: '127.0.0.1:53' },
    slots: replicas.length,
    bindAddress: '127.0.0.1',
    paths: { runtimeSocket: socket, serverStateFile: join(dir, 'server-state') },
  });
  const match = TEMPLATE.exec(text);
  if (!match) throw new Error('the rendered config has no server-template line of the expected shape');
  const [, indent, prefix, options, rest] = match;
  // Without a server-template, init-addr has nothing to do: each server has its address.
  const lines = replicas.map((r, i) => `${indent}server ${prefix}${i + 1} 127.0.0.1:${r.httpPort} ${options}${r.agentPort}${rest}`);
  return { text: text.replace(TEMPLATE, lines.join('\n')), socket };
}

export interface LocalHAProxy {
  child: ChildProcess;
  /** Every line HAProxy printed (state changes come as "Server <backend>/<server> ..."). */
  lines: Array<{ at: number; text: string }>;
  command(text: string): Promise<string>;
  servers(): Promise<ServerReport[]>;
  stop(): Promise<void>;
}

export async function startLocalHAProxy(dir: string, config: { text: string; socket: string }): Promise<LocalHAProxy> {
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config.text);
  const child = spawn('haproxy', ['-W', '-db', '-f', file], {
    env: { PATH: process.env['PATH'] ?? '', BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'fault-test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LocalHAProxy['lines'] = [];
  const collect = (chunk: Buffer) => {
    for (const text of chunk.toString().split('\n')) if (text.trim() !== '') lines.push({ at: Date.now(), text });
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const command = (text: string) => runtimeCommand(config.socket, text);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${lines.map((l) => l.text).join('\n')}`);
    try {
      await command('show info');
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`haproxy's runtime socket is not up: ${(error as Error).message}`, { cause: error });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    child,
    lines,
    command,
    servers: async () => parseShowStat(await command('show stat')),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The state changes of a server from HAProxy's own notices ("Server <backend>/<server> is going
 * DOWN for maintenance", "... is UP/READY (leaving forced maintenance)", "... is DOWN", "... is UP").
 * "is UP" also ends a slowstart (UP/READY before): not a change. Starts from UP.
 */
export function stateChanges(lines: LocalHAProxy['lines'], backend: string, server: string): Array<{ at: number; state: string; text: string }> {
  const marker = `Server ${backend}/${server} `;
  const changes: Array<{ at: number; state: string; text: string }> = [];
  let current = 'UP';
  for (const line of lines) {
    // Each notice comes twice: as a [WARNING] on stderr and as a log line on stdout. Take the log line.
    if (!line.text.includes(marker) || /^\[(WARNING|NOTICE|ALERT)\]/.test(line.text)) continue;
    const state = /for maintenance/.test(line.text) ? 'MAINT'
      : /leaving forced maintenance|is UP/.test(line.text) ? 'UP'
        : /is DOWN/.test(line.text) ? 'DOWN'
          : /DRAIN|drain/.test(line.text) ? 'DRAIN' : undefined;
    if (state === undefined || state === current) continue;
    current = state;
    changes.push({ at: line.at, state, text: line.text });
  }
  return changes;
}

/** A value of bso-api's /metrics, summed over label sets matching the filter. */
export async function apiMetric(httpPort: number, name: string, filter: RegExp = /./): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && filter.test(line)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** One column of a server's row in `show stat` (e.g. stot: sessions so far). */
export function statColumn(csv: string, backend: string, server: string, column: string): string | undefined {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '))?.slice(2).split(',') ?? [];
  const at = header.indexOf(column);
  const row = lines.map((l) => l.split(',')).find((cells) => cells[0] === backend && cells[1] === server);
  return at < 0 || !row ? undefined : row[at];
}
