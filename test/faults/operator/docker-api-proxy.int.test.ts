// The fault tests' Docker API proxy against a stand-in dockerd on a unix socket: it forwards,
// counts writes, freezes after a write, holds /events silent, refuses while down, delays.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerApiProxy, type ProxiedRequest } from './docker-api-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'bso-proxy-test-'));
const target = join(dir, 'dockerd.sock');
let fake: Server;

before(async () => {
  fake = createServer((req, res) => {
    if (req.url?.startsWith('/events')) {
      res.writeHead(200);
      res.write('{"Type":"service"}\n');
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, body })));
  });
  await new Promise<void>((resolve) => fake.listen(target, () => resolve()));
});

after(async () => {
  fake.closeAllConnections();
  await new Promise<void>((resolve) => fake.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function call(proxy: DockerApiProxy, method: string, path: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: proxy.socketPath, method, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); if (path.startsWith('/events')) { req.destroy(); resolve({ status: res.statusCode ?? 0, body }); } });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => { req.destroy(); reject(new Error('timeout')); });
    req.on('error', reject);
    req.end(method === 'POST' ? '{"x":1}' : undefined);
  });
}

test('forwards requests and bodies, counts writes, freezes after the Nth write and calls onWrite', async () => {
  const seen: number[] = [];
  const proxy = await new DockerApiProxy({ target, freezeAfterWrite: (n) => n === 2, onWrite: (n) => seen.push(n) }).listen();
  try {
    const read = await call(proxy, 'GET', '/v1.41/services');
    assert.equal(JSON.parse(read.body).url, '/v1.41/services');
    assert.equal(JSON.parse((await call(proxy, 'POST', '/networks/create')).body).body, '{"x":1}');
    await call(proxy, 'DELETE', '/secrets/abc');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, [1, 2]);
    await assert.rejects(call(proxy, 'GET', '/services', 500), /timeout/);
    proxy.thaw();
    assert.equal((await call(proxy, 'GET', '/services')).status, 200);
    assert.deepEqual(proxy.writeRequests().map((r) => `${r.method} ${r.path} ${r.status}`), ['POST /networks/create 200', 'DELETE /secrets/abc 200']);
  } finally {
    await proxy.close();
  }
});

test('cutEvents keeps /events silent; setDown refuses and counts connections', async () => {
  const proxy = await new DockerApiProxy({ target }).listen();
  try {
    assert.match((await call(proxy, 'GET', '/events')).body, /service/);
    proxy.cutEvents(true);
    await assert.rejects(call(proxy, 'GET', '/v1.41/events', 500), /timeout/);
    proxy.setDown(true);
    await assert.rejects(call(proxy, 'GET', '/services'));
    await assert.rejects(call(proxy, 'GET', '/services'));
    assert.equal(proxy.refused, 2);
    proxy.setDown(false);
    assert.equal((await call(proxy, 'GET', '/services')).status, 200);
  } finally {
    await proxy.close();
  }
});

test('beforeForward delays a request until the test lets it go', async () => {
  let release: () => void = () => {};
  let held: ProxiedRequest | undefined;
  const proxy = await new DockerApiProxy({ target, beforeForward: (r) => (r.method === 'POST' && !held ? (held = r, new Promise<void>((resolve) => { release = resolve; })) : undefined) }).listen();
  try {
    let done = false;
    const pending = call(proxy, 'POST', '/services/x/update?version=3').then((r) => { done = true; return r; });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(done, false);
    assert.equal(held?.path, '/services/x/update?version=3');
    release();
    assert.equal((await pending).status, 200);
  } finally {
    await proxy.close();
  }
});
