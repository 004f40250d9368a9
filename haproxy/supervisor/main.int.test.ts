// bso-haproxy-supervisor as a process, configured by its environment the way the container
// runs it: serves from the bootstrap config before the operator answers, then follows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfigEndpoint, type ServedConfig } from '../../operator/config-endpoint.js';
import type { StatusReport } from '../../contract/supervisor-protocol.js';
import { renderServiceConfig } from '../render/render-service.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { ROOT } from '../../test/haproxy/golden.js';
import { freePort } from '../../bench/lib/loopback/replicas.js';
import { HAPROXY } from '../../bench/lib/loopback/haproxy-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('starts on the bootstrap config without the operator, then follows the operator; stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-supervisor-main-'));
  const runDir = join(dir, 'run');
  const [operatorPort, listenPort, frontendPort, statsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const spec = structuredClone(loadSpec('examples/hello.yaml'));
  spec.spec.haproxy.port = frontendPort;
  spec.spec.haproxy.statsPort = statsPort;
  const render = () => renderServiceConfig(spec, {
    discovery: { kind: 'swarm', nameserver: '127.0.0.1:9' }, slots: 16, bindAddress: '127.0.0.1',
    paths: { runtimeSocket: join(runDir, 'runtime.sock'), serverStateFile: join(runDir, 'server-state') },
  });
  const first = render();
  writeFileSync(join(dir, 'bootstrap.cfg'), first.text);
  writeFileSync(join(dir, 'token'), 'main-test-token\n');
  writeFileSync(join(dir, 'stats-auth'), 'admin:correct-horse-battery\n');
  const env = {
    PATH: process.env.PATH,
    BSO_HAPROXY_NAME: 'hello',
    BSO_OPERATOR_URL: `http://127.0.0.1:${operatorPort}`,
    BSO_OPERATOR_TOKEN_FILE: join(dir, 'token'),
    BSO_STATS_AUTH_FILE: join(dir, 'stats-auth'),
    BSO_HAPROXY_BIN: HAPROXY,
    BSO_HAPROXY_RUN_DIR: runDir,
    BSO_HAPROXY_BOOTSTRAP: join(dir, 'bootstrap.cfg'),
    BSO_SUPERVISOR_LISTEN: `127.0.0.1:${listenPort}`,
    BSO_POLL_WAIT: '2s',
    BSO_MIN_RELOAD_INTERVAL: '0s',
    BSO_STATUS_INTERVAL: '500ms',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'haproxy/supervisor/main.ts')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let server: Server | undefined;
  try {
    // HAProxy serves the bootstrap config while the operator is not there.
    const stats = `http://127.0.0.1:${statsPort}/stats`;
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    await until('the stats page', async () => ((await fetch(stats, { headers: basic('admin', 'correct-horse-battery') })).status === 200 ? true : undefined));
    assert.equal((await fetch(stats, { headers: basic('admin', 'wrong-password') })).status, 401);
    assert.equal((await fetch(stats)).status, 401);
    assert.doesNotMatch(readFileSync(join(runDir, 'haproxy.cfg'), 'utf8'), /correct-horse-battery/, 'the password is not in the config');
    const metricsUrl = `http://127.0.0.1:${listenPort}/metrics`;
    await until('operator_up 0', async () => (/^bso_haproxy_operator_up 0$/m.test(await (await fetch(metricsUrl)).text()) ? true : undefined));
    assert.equal((await fetch(`http://127.0.0.1:${listenPort}/healthz`)).status, 200);

    // The operator comes: the same config is a noop, a changed one a reload.
    let servedConfig: ServedConfig = first;
    const reports: StatusReport[] = [];
    const endpoint = createConfigEndpoint({ token: 'main-test-token', configFor: () => servedConfig, onStatus: (_n, r) => { reports.push(r); } });
    server = createServer((req, res) => endpoint.handle(req, res));
    await new Promise<void>((resolve) => server!.listen(operatorPort, '127.0.0.1', resolve));
    await until('a noop report', async () => (reports.some((r) => r.lastOutcome === 'noop' && r.configHash === first.hash) ? true : undefined));
    spec.spec.haproxy.retries = 4;
    servedConfig = render();
    endpoint.notify('hello');
    const reloaded = await until('a reload report', async () => reports.find((r) => r.lastOutcome === 'reload' && r.configHash === servedConfig.hash));
    assert.equal(reloaded.loadedConfigHash, servedConfig.hash);
    assert.equal(reloaded.haproxy.running, true);
    const metrics = await (await fetch(metricsUrl)).text();
    assert.match(metrics, /^bso_haproxy_updates_total\{outcome="reload"\} 1$/m);
    assert.match(metrics, /^bso_haproxy_updates_total\{outcome="noop"\} 1$/m);
    assert.match(metrics, new RegExp(`^bso_haproxy_config_info\\{hash="${servedConfig.hash}"\\} 1$`, 'm'));
    assert.match(metrics, /^bso_haproxy_operator_up 1$/m);
    endpoint.close();
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    server?.closeAllConnections();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, stderr);
  }
  assert.match(stderr, /stopping/);
});
