// deploy/swarm/socket-proxy/haproxy.cfg, run by a real HAProxy in front of the real Docker
// socket: the operator's Swarm backend works through it, and what it does not need is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker } from './docker-client.js';
import { SwarmBackend } from './swarm-backend.js';
import { loadExample } from '../../test/operator/specs.js';

let proxy: ChildProcess;
let url: string;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bso-socket-proxy-'));
  const config = readFileSync(new URL('../../deploy/swarm/socket-proxy/haproxy.cfg', import.meta.url), 'utf8').replace('bind :2375', `bind 127.0.0.1:${port}`);
  writeFileSync(join(dir, 'haproxy.cfg'), config);
  proxy = spawn(process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await fetch(`${url}/_ping`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the socket proxy did not start');
});

after(() => { proxy?.kill(); });

test('the Swarm backend stores, reads and deletes a spec through the proxy', async () => {
  const backend = new SwarmBackend(connectDocker(`tcp://${url.slice('http://'.length)}`));
  const spec = loadExample((t) => t.replace('name: hello', 'name: proxy-check'));
  assert.equal((await backend.putSpec(spec)).changed, true);
  assert.equal((await backend.getSpec('proxy-check'))?.name, 'proxy-check');
  assert.ok(Array.isArray(await backend.listOwners()));
  await backend.observe('proxy-check', ['proxy-check-api', 'proxy-check-net']);
  assert.equal(await backend.deleteSpec('proxy-check'), true);
});

test('container, exec, image, swarm and volume endpoints are refused with 403', async () => {
  const refused: Array<[string, string]> = [
    ['GET', '/v1.41/containers/json'],
    ['POST', '/v1.41/containers/create'],
    ['POST', '/v1.41/containers/abc/exec'],
    ['POST', '/v1.41/images/create?fromImage=x'],
    ['POST', '/v1.41/swarm/leave'],
    ['GET', '/v1.41/volumes'],
    ['POST', '/v1.41/nodes/abc/update'],
    ['DELETE', '/v1.41/nodes/abc'],
    ['GET', '/v1.41/secrets/../containers/json'],
  ];
  for (const [method, path] of refused) {
    const response = await fetch(url + path, { method });
    await response.arrayBuffer();
    assert.equal(response.status, 403, `${method} ${path} answered ${response.status}`);
  }
});
