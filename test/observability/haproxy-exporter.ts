// Test helper: a real haproxy serving the stats frontend bso renders (taken from the renderer's
// golden file, so its exporter is the one production has) in front of a backend named and
// shaped like a BalancedService's: frontend "hello", backend "hello-api", servers replica1/2.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeCommand } from '../api/haproxy.js';
import { findFreePort } from './prometheus-server.js';

const GOLDEN = new URL('../../haproxy/render/testdata/hello.swarm.cfg', import.meta.url);

export interface ExporterHAProxy {
  metricsUrl: string;
  statsPort: number;
  frontendPort: number;
  /** A runtime API command, e.g. `set server hello-api/replica2 state maint`. */
  command(text: string): Promise<string>;
  stop(): Promise<void>;
}

/** The `frontend stats` section of the rendered hello config, bound to 127.0.0.1:port. */
export function renderedStatsSection(port: number): string {
  const text = readFileSync(GOLDEN, 'utf8');
  const start = text.indexOf('\nfrontend stats\n');
  if (start < 0) throw new Error('no frontend stats in the golden config');
  const section = text.slice(start + 1).split(/\n(?=\S)/)[0]!;
  if (!/\n {4}bind :8404\n/.test(section)) throw new Error(`unexpected stats bind in:\n${section}`);
  return section.replace(/\n {4}bind :8404\n/, `\n    bind 127.0.0.1:${port}\n`);
}

/** `servers` are host:port of the backend's replicas (may be closed ports: they show DOWN). */
export async function startExporterHAProxy(servers: string[] = ['127.0.0.1:9', '127.0.0.1:10']): Promise<ExporterHAProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'bso-obs-haproxy-'));
  const [statsPort, frontendPort] = [await findFreePort(), await findFreePort()];
  const config = `
global
    stats socket ${join(dir, 'admin.sock')} mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend hello
    bind 127.0.0.1:${frontendPort}
    default_backend hello-api
backend hello-api
    balance leastconn
${servers.map((s, i) => `    server replica${i + 1} ${s} weight 100`).join('\n')}
${renderedStatsSection(statsPort)}
`;
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn('haproxy', ['-db', '-f', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'secret' },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const metricsUrl = `http://127.0.0.1:${statsPort}/metrics`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}\n${config}`);
    if (await fetch(metricsUrl, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`haproxy exporter not up:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    metricsUrl,
    statsPort,
    frontendPort,
    command: (text) => runtimeCommand(join(dir, 'admin.sock'), text),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
