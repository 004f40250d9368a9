// bso top against real peers on loopback: a real HAProxy (the stats frontend bso renders) in
// front of a real bso-api (replica1) and a plain HTTP server (replica2), put in MAINT through
// HAProxy's runtime API; a real Prometheus scraping the bso-api; and the operator's status API
// (the JSON the operator serves, from its own toApiObject). Traffic flows through HAProxy while
// `bso top` runs: replica1 takes every request, replica2 none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { FakeCgroup, CpuLoadDriver } from '../../test/api/fake-cgroup.js';
import { spawnApi } from '../../bench/lib/loopback/spawn-api.js';
import { toApiObject } from '../../operator/api-object.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { startExporterHAProxy } from '../../test/observability/haproxy-exporter.js';
import { eventually, startPrometheus } from '../../test/observability/prometheus-server.js';
import type { CliContext } from '../context.js';
import { registerTop } from './top.js';

const ESC = String.fromCharCode(27);

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as { port: number }).port;
}

test('bso top: state and weight from the operator, share from HAProxy, CPU from Prometheus; piped, live and NO_COLOR', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-top-'));
  const tree = new FakeCgroup(join(dir, 'cgroup'), { version: 2, cpus: 1 });
  const load = new CpuLoadDriver(tree, 1);
  // Registered before anything starts, so that a failure at any step stops what did start.
  const started: Array<() => unknown> = [];
  t.after(async () => {
    for (const stop of started.reverse()) {
      try { await stop(); } catch { /* stopping the rest matters more */ }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  started.push(() => load.stop());
  load.set(35);
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root, BSO_SAMPLE_INTERVAL: '100ms', BSO_SMOOTHING: '300ms' });
  started.push(() => api.kill());
  const other = createServer((_req, res) => res.end('replica2\n'));
  started.push(() => other.close());
  const otherPort = await listen(other, '127.0.0.2');
  const haproxy = await startExporterHAProxy([`127.0.0.1:${api.httpPort}`, `127.0.0.2:${otherPort}`]);
  started.push(() => haproxy.stop());
  await haproxy.command('set server hello-api/replica2 state maint');
  const prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: bso-api
    static_configs:
      - targets: ['127.0.0.1:${api.httpPort}']
        labels: { balancedservice: hello }
`);
  started.push(() => prometheus.stop());

  // The operator's answer for GET /v1/balancedservices/hello: the stored spec and its status.
  const spec = { image: 'bso-hello-api:latest', replicas: 2, port: 8080, agent: { thresholds: { maint: 80, ready: 60 } }, haproxy: { port: 80, statsPort: haproxy.statsPort } };
  const object = toApiObject(
    { valid: true, name: 'hello', object: { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'hello' }, spec } as unknown as BalancedService, generation: 1, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' },
    {
      observedGeneration: 1, replicas: 2, readyReplicas: 1, configHash: 'h',
      conditions: [{ type: 'Ready', status: 'False', reason: 'AllServersInMaint', message: '', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 1 }],
      servers: [
        { name: 'replica1', address: '127.0.0.1', state: 'UP', weight: 100, agent: 'ready 56%' },
        { name: 'replica2', address: '127.0.0.2', state: 'MAINT', weight: 0, agent: 'maint' },
      ],
    },
  );
  const operator = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/balancedservices/hello') res.end(JSON.stringify(object));
    else { res.statusCode = 404; res.end('{"code":"BSO_NOT_FOUND"}'); }
  });
  started.push(() => operator.close());
  const operatorUrl = `http://127.0.0.1:${await listen(operator, '127.0.0.1')}`;

  // Traffic through HAProxy for the whole test.
  let flowing = true;
  const traffic = (async () => {
    while (flowing) await fetch(`http://127.0.0.1:${haproxy.frontendPort}/`).then((r) => r.text(), () => undefined);
  })();
  started.push(async () => { flowing = false; await traffic; });
  await eventually('Prometheus to have the replica\'s CPU', 30_000, async () => (await prometheus.query('bso_agent_cpu_ratio{signal="smoothed"} > 0.2')).length === 1);

  const run = async (args: string[], extra: Partial<CliContext & { isTTY: boolean; env: Record<string, string> }>) => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), exitCode: 0, columns: 120, env: {}, ...extra };
    const program = new Command('bso').exitOverride();
    registerTop(program, ctx);
    await program.parseAsync(['node', 'bso', 'top', 'hello', '--operator', operatorUrl, '--prometheus', prometheus.url, ...args]);
    return { code: ctx.exitCode, out, err };
  };

  // Piped: one plain snapshot (two samples of HAProxy's counters, one interval apart).
  const piped = await run([], { isTTY: false });
  assert.equal(piped.code, 0, piped.err.join('\n'));
  assert.equal(piped.out.length, 1);
  const lines = piped.out[0]!.split('\n');
  assert.ok(!piped.out[0]!.includes(ESC), 'no escape codes when piped');
  assert.match(lines[0]!, /^bso top hello {3}AllServersInMaint {3}1\/2 UP {3}\d\d:\d\d:\d\d$/);
  assert.match(lines[1]!, /CPU from prometheus {3}traffic from haproxy \([0-9.]+ req\/s\)$/);
  const row = (server: string) => lines.find((l) => l.startsWith(server))!.split(/\s{2,}/);
  const [, , state1, weight1, cpu1, , , share1] = row('replica1');
  assert.deepEqual([state1, weight1, share1], ['UP', '100', '100%']);
  assert.ok(Number(cpu1!.replace('%', '')) >= 20 && Number(cpu1!.replace('%', '')) <= 50, `replica1 CPU ${cpu1}`);
  assert.deepEqual(row('replica2'), ['replica2', '127.0.0.2', 'MAINT', '0', '-', '-', '0%', '[....................]', '0.0', 'maint']);

  // A terminal: frames redrawn in place, colored; NO_COLOR keeps the redraw, drops the colors.
  const live = await run(['--frames', '2', '--interval', '300ms'], { isTTY: true });
  assert.equal(live.code, 0, live.err.join('\n'));
  assert.equal(live.out.length, 3);
  assert.ok(live.out[0]!.startsWith(`${ESC}[?25l${ESC}[H${ESC}[2J`), 'first frame hides the cursor and clears');
  assert.ok(live.out[1]!.startsWith(`${ESC}[H${ESC}[2J`));
  assert.equal(live.out[2], `${ESC}[?25h`);
  assert.ok(live.out[1]!.includes(`${ESC}[31mMAINT${ESC}[0m`), 'MAINT in red');
  assert.match(live.out[1]!, /every 300ms/);
  const noColor = await run(['--frames', '1'], { isTTY: true, env: { NO_COLOR: '1' } });
  assert.ok(noColor.out[0]!.startsWith(`${ESC}[?25l${ESC}[H${ESC}[2J`));
  assert.ok(!noColor.out[0]!.slice(`${ESC}[?25l${ESC}[H${ESC}[2J`.length).includes(ESC), 'NO_COLOR: no colors in the frame');
});
