// Hostile peers on the agent port: resets, garbage, half-open and slow clients, and 1,000
// concurrent connections. Afterwards the agent still answers correctly, the process is alive,
// its sockets are released and its memory is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCgroup } from '../test/api/fake-cgroup.js';
import { askAgent, spawnApi } from '../bench/lib/loopback/spawn-api.js';

const REPLY = /^(ready \d{1,3}%( maxconn:\d+)?|maint( #load=\d+)?|drain)\n$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Connects, optionally sends something, and collects what the agent says until it closes. */
function exchange(port: number, send?: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      if (send !== undefined) socket.write(send, () => undefined);
    });
    socket.on('data', (chunk: string) => (data += chunk));
    // The agent may close while we still write garbage: a reset after its reply is fine.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(data) : reject(error)));
    socket.on('close', () => resolve(data));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return Number(line?.split(' ').pop());
}

test('the agent survives resets, garbage, half-open and slow clients and 1,000 concurrent connections', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-agent-robust-'));
  const tree = new FakeCgroup(dir, { version: 1, cpus: 1 });
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root });
  t.after(async () => {
    await api.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = api.agentPort;
  const base = `http://127.0.0.1:${api.httpPort}`;
  const rssBefore = await metric(base, 'process_resident_memory_bytes');
  const report: string[] = [];

  // TCP resets right after connecting, before and after the reply was sent.
  for (let i = 0; i < 200; i++) {
    const socket = await open(port);
    socket.on('error', () => undefined);
    if (i % 2 === 1) await sleep(1);
    socket.resetAndDestroy();
  }
  report.push('200 resets');

  // Garbage: binary noise, an oversized line, control characters, a huge "agent-send".
  const garbage = [randomBytes(64), randomBytes(256 * 1024), Buffer.from('\r\n\r\n\0\0\xff'), 'x'.repeat(100_000) + '\n', 'maint\n', 'drain\n', 'GET / HTTP/1.1\r\n\r\n'];
  const garbageReplies = await Promise.all(Array.from({ length: 70 }, (_, i) => exchange(port, garbage[i % garbage.length])));
  for (const reply of garbageReplies) assert.match(reply, REPLY, 'garbage got a wrong reply');
  assert.ok(garbageReplies.every((r) => r.startsWith('ready')), 'what a peer sends changed the reply');
  report.push(`${garbageReplies.length} garbage senders, all answered "${garbageReplies[0]!.trim()}"`);

  // Half-open: clients that send FIN at once, and clients that never read nor close.
  const halfOpen = await Promise.all(Array.from({ length: 100 }, () => open(port)));
  for (const s of halfOpen) {
    s.on('error', () => undefined);
    s.end();
  }
  const silent = await Promise.all(Array.from({ length: 100 }, () => open(port)));
  for (const s of silent) {
    s.on('error', () => undefined);
    s.pause();
  }
  // Slow clients: one byte every 100 ms, never closing.
  const slow = await Promise.all(Array.from({ length: 20 }, () => open(port)));
  const drip = setInterval(() => {
    for (const s of slow) if (!s.destroyed) s.write('a');
  }, 100);
  for (const s of slow) s.on('error', () => undefined);
  report.push('100 half-open, 100 silent, 20 slow clients');

  // While all of that is open: the agent still answers at once.
  const during = await askAgent(port);
  assert.match(during.line, REPLY);
  report.push(`reply while they hang on: ${during.ms.toFixed(1)} ms`);

  // 1,000 concurrent connections, all answered.
  const flood = await Promise.all(Array.from({ length: 1000 }, () => exchange(port)));
  const answered = flood.filter((r) => REPLY.test(r)).length;
  assert.equal(answered, 1000, `${1000 - answered} of 1,000 concurrent connections got no valid reply`);
  report.push('1,000 concurrent connections: all answered');

  // The agent's deadline closes what the peers never closed.
  await sleep(2500);
  clearInterval(drip);
  const openNow = await metric(base, 'bso_agent_open_connections');
  assert.equal(openNow, 0, `${openNow} agent sockets still open 2.5 s later (silent, slow or half-open peers)`);
  assert.ok(slow.every((s) => s.destroyed), 'a slow client was not cut off');
  for (const s of [...halfOpen, ...silent, ...slow]) s.destroy();

  // Afterwards: alive, correct, bounded.
  const after = await askAgent(port);
  assert.match(after.line, REPLY);
  assert.equal(api.child.exitCode, null, 'bso-api died');
  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  const rssAfter = await metric(base, 'process_resident_memory_bytes');
  const socketErrors = await metric(base, 'bso_agent_socket_errors_total');
  assert.equal(await metric(base, 'bso_agent_restarts_total'), 0, 'the agent thread died and was restarted');
  report.push(`rss ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssAfter / 2 ** 20).toFixed(0)} MiB after; socket errors counted: ${socketErrors}`);
  console.log(report.join('\n'));
  assert.ok(rssAfter < 300 * 2 ** 20, `rss ${rssAfter} bytes`);
});
