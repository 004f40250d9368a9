// The readiness gate of a rolling update against a real HAProxy 2.6: a real bso-api answers
// GET /readyz 200 only once HAProxy has passed `rise` of its health checks in a row, and HAProxy
// has the server UP by then; a replica whose health checks fail is never ready; a draining one is
// not ready. (The Swarm healthcheck and the Kubernetes readinessProbe ask this route.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServer, startHAProxy } from '../test/api/haproxy.js';
import { spawnApi } from '../bench/lib/loopback/spawn-api.js';
import { READINESS_PATH } from '../contract/readiness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RISE = 3;

async function readyz(port: number): Promise<{ status: number; reason: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${READINESS_PATH}`);
  return { status: res.status, reason: ((await res.json()) as { reason: string }).reason };
}

function haproxyConfig(dir: string, port: number, agentPort: number) {
  return (socket: string) => `
global
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind unix@${join(dir, 'fe.sock')}
  default_backend be
backend be
  option httpchk
  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host hello-api
  http-check expect status 200-399
  server s1 127.0.0.1:${port} check inter 400ms fastinter 400ms downinter 400ms rise ${RISE} fall 1 agent-check agent-port ${agentPort} agent-inter 400ms
`;
}

test('GET /readyz: 503 until HAProxy passed rise checks in a row, then 200 with HAProxy showing the server UP; 503 while draining', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-readiness-'));
  const api = await spawnApi({ BSO_HEALTH_RISE: String(RISE), BSO_DRAIN_DELAY: '3s' });
  t.after(async () => { await api.kill(); rmSync(dir, { recursive: true, force: true }); });
  const before = await readyz(api.httpPort);
  assert.deepEqual(before, { status: 503, reason: "waiting for HAProxy's first health check" });

  // The server starts at an address where nothing listens (HAProxy marks it DOWN), then gets the
  // replica's address through the runtime API, as the resolver gives a server-template slot the
  // address of a new replica: HAProxy must then pass RISE checks before it marks the server UP.
  const haproxy = await startHAProxy(dir, (socket) => haproxyConfig(dir, api.httpPort, api.agentPort)(socket).replace(`127.0.0.1:${api.httpPort}`, '127.0.0.1:1'));
  t.after(() => haproxy.stop());
  await sleep(1000);
  assert.match((await readServer(haproxy, 'be', 's1')).status, /DOWN/);
  assert.deepEqual(await readyz(api.httpPort), before, 'no check has reached the replica');
  await haproxy.command(`set server be/s1 addr 127.0.0.1 port ${api.httpPort}`);
  const seen: string[] = [];
  const started = Date.now();
  let ready: { status: number; reason: string } | undefined;
  while (Date.now() - started < 20_000) {
    const answer = await readyz(api.httpPort);
    if (answer.status === 200) { ready = answer; break; }
    if (!seen.includes(answer.reason)) seen.push(answer.reason);
    await sleep(50);
  }
  assert.ok(ready, `never ready; answers seen: ${seen.join(' | ')}\n${api.output()}`);
  assert.match(ready.reason, new RegExp(`^HAProxy at (::ffff:)?127\\.0\\.0\\.1 passed ${RISE} health checks in a row$`));
  const server = await readServer(haproxy, 'be', 's1');
  assert.equal(server.status, 'UP', `ready while HAProxy shows ${JSON.stringify(server)}`);
  const elapsed = Date.now() - started;
  assert.ok(seen.some((r) => /health checks: [12] of 3 passed in a row/.test(r)), `the count went up check by check: ${seen.join(' | ')} (${elapsed} ms)`);

  const exited = api.kill('SIGTERM');
  await sleep(200);
  const draining = await readyz(api.httpPort);
  assert.deepEqual(draining, { status: 503, reason: 'draining: shutting down' });
  await exited;
});

test('GET /readyz: a replica whose health checks fail (HAProxy marks it DOWN) is never ready', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-readiness-'));
  // The health path is a route the app does not have: every check is answered 404.
  const api = await spawnApi({ BSO_HEALTH_RISE: String(RISE), BSO_HEALTH_PATH: '/no-such-route' });
  t.after(async () => { await api.kill(); rmSync(dir, { recursive: true, force: true }); });
  const haproxy = await startHAProxy(dir, (socket) => haproxyConfig(dir, api.httpPort, api.agentPort)(socket).replace('uri /healthz', 'uri /no-such-route'));
  t.after(() => haproxy.stop());
  await sleep(3000); // about 7 checks at 400 ms
  const server = await readServer(haproxy, 'be', 's1');
  assert.match(server.status, /DOWN/, JSON.stringify(server));
  const answer = await readyz(api.httpPort);
  assert.equal(answer.status, 503);
  assert.equal(answer.reason, `HAProxy's health checks: 0 of ${RISE} passed in a row`, `${(await haproxy.command('show stat')).split('\n').filter((l) => l.includes('s1')).join('\n')}\n${api.output()}`);
});
