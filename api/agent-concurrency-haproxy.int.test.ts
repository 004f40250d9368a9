// A real haproxy in front of a real bso-api, with the queue and refusal lines bso renders: the
// agent's `maxconn:` becomes the server's limit, requests beyond it wait in HAProxy's queue (not
// in the replica), and once they waited `timeout queue` they are refused at once with 503 and
// Retry-After, never after seconds. A second HAProxy asking the same agent halves each one's
// limit (the replica's concurrency is shared, not multiplied).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { parseBalancedServices } from '../crd/parse-spec.js';
import { renderServiceConfig } from '../haproxy/render/render-service.js';
import { FakeCgroup } from '../test/api/fake-cgroup.js';
import { readServer, startHAProxy } from '../test/api/haproxy.js';
import { spawnApi } from '../bench/lib/loopback/spawn-api.js';
import { freePort } from '../bench/lib/loopback/replicas.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The lines bso renders for the queue and its refusals, for a spec with `timeouts.queue` = queue. */
function renderedQueueLines(queue: string): string[] {
  const text = `apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata: {name: q}\nspec:\n  image: x\n  haproxy: {timeouts: {queue: ${queue}}}\n`;
  const parsed = parseBalancedServices(text, 'q.yaml');
  assert.ok(parsed.ok);
  const config = renderServiceConfig(parsed.specs[0]!.object, { discovery: { kind: 'swarm' }, slots: 2 }).text;
  const lines = config.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('timeout queue') || l.startsWith('http-error status 503'));
  assert.equal(lines.length, 2, config);
  return lines;
}

function get(port: number, path: string): Promise<{ status: number; ms: number; retryAfter?: string; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, retryAfter: res.headers['retry-after'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('haproxy takes the agent\'s maxconn, queues the rest itself and refuses what waited timeout queue with 503 and Retry-After', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-agent-maxconn-'));
  const tree = new FakeCgroup(join(dir, 'cgroup'), { version: 2, cpus: 1, memoryLimitBytes: 256 * 2 ** 20 });
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root, BSO_SAMPLE_INTERVAL: '100ms', BSO_MAXCONN_LIMIT: '100' });
  const [front, second] = [await freePort(), await freePort()];
  /** Each instance asks from its own address, as HAProxy instances on different nodes do. */
  const config = (port: number, source: string) => (socket: string) => `
global
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  ${renderedQueueLines('500ms').join('\n  ')}
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  balance random(2)
  server s1 127.0.0.1:${api.httpPort} source ${source} weight 100 maxconn 100 check inter 1s agent-check agent-port ${api.agentPort} agent-inter 200ms
`;
  const haproxy = await startHAProxy(join(dir), config(front, '127.0.0.1'));
  t.after(async () => {
    await haproxy.stop();
    await api.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const agent = async () => (await (await fetch(`http://127.0.0.1:${api.httpPort}/`)).json()) as { concurrency: number };
  const limit = async () => (await haproxy.command('show stat')).split('\n').find((l) => l.startsWith('be,s1,'))!.split(',')[6]!;

  // CPU-bound requests (50 ms of spinning each) measure the replica: its concurrency estimate is
  // small, and HAProxy's limit follows what the agent says.
  await Promise.all(Array.from({ length: 40 }, () => get(front, '/work?ms=50')));
  let said = 0;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    said = (await agent()).concurrency;
    if (said > 0 && (await limit()) === String(said)) break;
    await sleep(100);
  }
  assert.ok(said >= 2 && said <= 10, `the agent's concurrency ${said}`);
  assert.equal(await limit(), String(said), 'HAProxy\'s server limit (slim) is the agent\'s maxconn');

  // A burst far beyond it: HAProxy keeps at most `said` at the replica, queues the rest, and
  // refuses whatever waited 500 ms, fast and explicitly.
  const burst = await Promise.all(Array.from({ length: 60 }, () => get(front, '/work?ms=200')));
  const served = burst.filter((r) => r.status === 200);
  const refused = burst.filter((r) => r.status === 503);
  assert.equal(served.length + refused.length, burst.length, `other statuses: ${burst.map((r) => r.status).join(',')}`);
  assert.ok(refused.length > 0 && served.length > 0, `${served.length} served, ${refused.length} refused`);
  for (const r of refused) {
    assert.equal(r.retryAfter, '1', 'Retry-After on a refusal');
    assert.match(r.body, /every replica is at its limit/);
    assert.ok(r.ms < 1500, `a refusal took ${r.ms.toFixed(0)} ms (timeout queue is 500 ms)`);
  }
  const s = await readServer(haproxy, 'be', 's1');
  assert.equal(s.status, 'UP');
  console.log(`maxconn ${said}; burst of 60: ${served.length} served, ${refused.length} refused, slowest refusal ${Math.max(...refused.map((r) => r.ms)).toFixed(0)} ms`);

  // A second HAProxy asking the same agent: each one's limit is half the replica's concurrency.
  mkdirSync(join(dir, 'second'));
  const other = await startHAProxy(join(dir, 'second'), config(second, '127.0.0.2'));
  t.after(() => other.stop());
  const halves = Date.now() + 10_000;
  let first = '';
  while (Date.now() < halves) {
    first = await limit();
    if (Number(first) === Math.ceil((await agent()).concurrency / 2)) break;
    await sleep(100);
  }
  assert.equal(Number(first), Math.ceil((await agent()).concurrency / 2), 'with two HAProxy instances each gets half (rounded up)');
});
