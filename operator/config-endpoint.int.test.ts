// The config endpoint and the supervisor's config client over real HTTP on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createConfigEndpoint, type ServedConfig } from './config-endpoint.js';
import type { StatusReport } from '../contract/supervisor-protocol.js';
import { hashConfigText } from '../haproxy/render/config-hash.js';
import { pullConfigs } from '../haproxy/supervisor/config-client.js';

const TOKEN = 'secret-token';
const served = (text: string): ServedConfig => ({ text, hash: hashConfigText(text) });

async function startEndpoint(port = 0) {
  const configs = new Map<string, ServedConfig>([['hello', served('global\n    master-worker\n')]]);
  const reports: Array<[string, StatusReport]> = [];
  const endpoint = createConfigEndpoint({ token: TOKEN, configFor: (name) => configs.get(name), onStatus: (name, report) => { reports.push([name, report]); } });
  const server: Server = createServer((req, res) => endpoint.handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    endpoint.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { configs, reports, endpoint, server, base, close };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const report: StatusReport = { reportedAt: new Date(0).toISOString(), configHash: 'abc', lastOutcome: 'reload', haproxy: { running: true, oldWorkers: 0, reloads: 1 }, servers: [{ backend: 'hello-api', name: 'replica1', state: 'UP', weight: 100, sessions: 0 }] };

test('config: bearer token required, 200 with ETag, 304 when unchanged, 404 for an unknown service', async () => {
  const e = await startEndpoint();
  try {
    const url = `${e.base}/v1/haproxy/hello/config`;
    const anonymous = await fetch(url);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const ok = await fetch(url, { headers: auth });
    assert.equal(ok.status, 200);
    const text = await ok.text();
    assert.equal(text, e.configs.get('hello')!.text);
    assert.equal(ok.headers.get('etag'), `"${hashConfigText(text)}"`);
    const same = await fetch(url, { headers: { ...auth, 'if-none-match': ok.headers.get('etag')! } });
    assert.equal(same.status, 304);
    const stale = await fetch(url, { headers: { ...auth, 'if-none-match': '"older"' } });
    assert.equal(stale.status, 200);
    await stale.text();
    assert.equal((await fetch(`${e.base}/v1/haproxy/nope/config`, { headers: auth })).status, 404);
    assert.equal((await fetch(`${e.base}/v1/haproxy/Bad_Name/config`, { headers: auth })).status, 404);
    assert.equal((await fetch(url, { method: 'POST', headers: auth })).status, 405);
  } finally {
    await e.close();
  }
});

test('config long-poll: answered by notify() when the config changes, 304 when the wait ends', async () => {
  const e = await startEndpoint();
  try {
    const etag = `"${e.configs.get('hello')!.hash}"`;
    const timedOut = await fetch(`${e.base}/v1/haproxy/hello/config?wait=200ms`, { headers: { ...auth, 'if-none-match': etag } });
    assert.equal(timedOut.status, 304);

    const pending = fetch(`${e.base}/v1/haproxy/hello/config?wait=60s`, { headers: { ...auth, 'if-none-match': etag } });
    while (e.endpoint.waiting() === 0) await new Promise((r) => setTimeout(r, 10));
    e.endpoint.notify('hello'); // nothing changed: keeps waiting
    assert.equal(e.endpoint.waiting(), 1);
    e.configs.set('hello', served('global\n    master-worker\n    hard-stop-after 1m\n'));
    e.endpoint.notify('hello');
    const changed = await pending;
    assert.equal(changed.status, 200);
    assert.match(await changed.text(), /hard-stop-after 1m/);
    assert.equal(e.endpoint.waiting(), 0);

    const abort = new AbortController();
    const abandoned = fetch(`${e.base}/v1/haproxy/hello/config?wait=60s`, { headers: { ...auth, 'if-none-match': `"${e.configs.get('hello')!.hash}"` }, signal: abort.signal }).catch(() => 'aborted');
    while (e.endpoint.waiting() === 0) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    assert.equal(await abandoned, 'aborted');
    while (e.endpoint.waiting() > 0) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await e.close();
  }
});

test('status: a valid report is handed over (204); malformed ones are refused (400)', async () => {
  const e = await startEndpoint();
  try {
    const url = `${e.base}/v1/haproxy/hello/status`;
    const put = (body: string) => fetch(url, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body });
    assert.equal((await put(JSON.stringify(report))).status, 204);
    assert.deepEqual(e.reports, [['hello', report]]);
    assert.equal((await put('{')).status, 400);
    const bad = await put(JSON.stringify({ ...report, lastOutcome: 'exploded' }));
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { message: string }).message, /lastOutcome/);
    assert.equal((await put(JSON.stringify({ ...report, servers: [{ name: 1 }] }))).status, 400);
    assert.equal((await fetch(url, { method: 'PUT', body: JSON.stringify(report) })).status, 401);
    assert.equal(e.reports.length, 1);
  } finally {
    await e.close();
  }
});

test('mounted in express: its paths are served, others go to the next handler', async () => {
  const endpoint = createConfigEndpoint({ token: TOKEN, configFor: () => served('x\n'), onStatus: () => {} });
  const app = express();
  app.use(endpoint.handle);
  app.get('/healthz', (_req, res) => { res.send('ok'); });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
    assert.equal(await (await fetch(`${base}/v1/haproxy/hello/config`, { headers: auth })).text(), 'x\n');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('the client keeps trying while the operator is away, then takes each new config', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const received: string[] = [];
  const errors: string[] = [];
  const abort = new AbortController();
  const client = pullConfigs({
    operatorUrl: `http://127.0.0.1:${port}`, name: 'hello', token: () => TOKEN, waitMs: 2000, signal: abort.signal,
    minBackoffMs: 20, maxBackoffMs: 100,
    onConfig: (text) => received.push(text),
    onResult: (error) => { if (error) errors.push(error.message); },
  });
  const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 10)); };
  await until(() => errors.length >= 3);
  assert.equal(received.length, 0);
  const e = await startEndpoint(port);
  try {
    await until(() => received.length === 1);
    assert.equal(received[0], e.configs.get('hello')!.text);
    e.configs.set('hello', served('second\n'));
    e.endpoint.notify('hello');
    await until(() => received.length === 2);
    assert.equal(received[1], 'second\n');
    // A config whose bytes do not match its ETag is refused, not applied.
    e.configs.set('hello', { text: 'third\n', hash: hashConfigText('something else') });
    e.endpoint.notify('hello');
    const errorsBefore = errors.length;
    await until(() => errors.length > errorsBefore);
    assert.match(errors.at(-1)!, /does not match its ETag/);
    assert.equal(received.length, 2);
  } finally {
    abort.abort();
    await client;
    await e.close();
  }
});
