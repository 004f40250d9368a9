// Row 15: the operator through the Docker socket proxy (deploy/swarm/socket-proxy/haproxy.cfg, run
// by a real HAProxy in front of the real Docker socket), limited to the calls bso makes. The
// operator and the bso CLI both reach Docker only through it (DOCKER_HOST): apply, wait Ready,
// traffic through HAProxy from every replica, scale, delete with nothing left; the proxy's log
// shows no call of theirs refused. Then calls bso does not need (containers, exec, images, swarm
// tokens, nodes, volumes, plugins, and paths built to slip past the rules) answer 403, and what
// the proxy still allows is shown for what it is (docs/reliability.md, "Exposure").
//   flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults exposure/socket-proxy
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { bsoSource, startOperatorSource } from '../cluster/operator.js';
import { recordFaultRow } from '../fault-table.js';

const NAME = 'bsofcl-proxy';
const APP_PORT = 18391;
const STATS_PORT = 18791;
const OPERATOR_PORT = 19491;
const work = mkdtempSync(join(tmpdir(), 'bsofcl-proxy-'));
const specFile = join(work, `${NAME}.yaml`);
const LOCAL_DOCKER = ['-H', 'unix:///var/run/docker.sock'];

let proxy: ChildProcess | undefined;
let operator: OperatorProcess | undefined;
let proxyUrl = '';
const proxyLog: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The bso CLI (from source) with Docker reached through the proxy only. */
function bsoThroughProxy(args: string[]): Promise<{ code: number; out: string }> {
  return bsoSource(args, { DOCKER_HOST: `tcp://${proxyUrl.slice('http://'.length)}` });
}

function writeSpec(replicas: number): void {
  writeFileSync(specFile, readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('replicas: 2', `replicas: ${replicas}`)
    .replace('port: 80\n', `port: ${APP_PORT}\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`));
}

/** One call through the proxy with the path sent byte for byte (fetch would resolve `..`). */
function rawCall(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Status and request line of each request HAProxy logged (option httplog). */
function loggedCalls(): Array<{ status: number; method: string; path: string }> {
  return proxyLog.flatMap((line) => {
    const m = /\s(-?\d{3})\s.*"([A-Z]+) (\S+) HTTP\/[\d.]+"/.exec(line);
    return m ? [{ status: Number(m[1]), method: m[2]!, path: m[3]! }] : [];
  });
}

async function ownedServices(): Promise<string[]> {
  return (await run('docker', [...LOCAL_DOCKER, 'service', 'ls', '-q', '--filter', `label=bso.dev/balancedservice=${NAME}`])).stdout.split('\n').filter(Boolean);
}

before(async () => {
  const port = await freePort();
  const config = readFileSync(new URL('../../../deploy/swarm/socket-proxy/haproxy.cfg', import.meta.url), 'utf8').replace('bind :2375', `bind 127.0.0.1:${port}`);
  writeFileSync(join(work, 'socket-proxy.cfg'), config);
  proxy = spawn(process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy', ['-db', '-f', join(work, 'socket-proxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  proxy.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    proxyLog.push(...lines);
  });
  proxyUrl = `http://127.0.0.1:${port}`;
  await waitFor('the socket proxy', 10_000, () => fetch(`${proxyUrl}/_ping`).then((r) => r.ok), 100);
  await run('docker', [...LOCAL_DOCKER, 'service', 'rm', `${NAME}-api`, `${NAME}-haproxy`], { allowFailure: true });
  operator = startOperatorSource(OPERATOR_PORT, join(work, 'operator.log'), { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
  await waitFor('the operator to be ready (/readyz)', 30_000, () => httpGet(`http://127.0.0.1:${OPERATOR_PORT}/readyz`).then((r) => r.status === 200));
});

after(async () => {
  if (operator) {
    await bsoThroughProxy(['delete', NAME, '--wait', '--timeout', '60s']);
    await operator.stop();
  }
  proxy?.kill();
  writeFileSync(join(work, 'socket-proxy.log'), proxyLog.join('\n'));
  const left = await ownedServices();
  if (left.length) await run('docker', [...LOCAL_DOCKER, 'service', 'rm', ...left], { allowFailure: true });
  console.log(`operator log: ${join(work, 'operator.log')}`);
});

test('15a. the operator and the CLI through the socket proxy: apply, Ready, traffic, scale, delete; no call of theirs refused', { timeout: 300_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  try {
    const operatorUrl = `http://127.0.0.1:${OPERATOR_PORT}`;
    writeSpec(2);
    const applied = await bsoThroughProxy(['apply', '-f', specFile, '--wait', '--timeout', '150s', '--operator', operatorUrl]);
    assert.equal(applied.code, 0, applied.out);
    const hostnames = async (n: number) => {
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const res = await httpGet(`http://127.0.0.1:${APP_PORT}/`);
        if (res.status === 200) seen.add((JSON.parse(res.body) as { hostname: string }).hostname);
      }
      return seen;
    };
    await waitFor('2 replicas answering through HAProxy', 60_000, async () => (await hostnames(12)).size === 2);
    writeSpec(3);
    const scaled = await bsoThroughProxy(['apply', '-f', specFile, '--wait', '--timeout', '150s', '--operator', operatorUrl]);
    assert.equal(scaled.code, 0, scaled.out);
    await waitFor('3 replicas answering through HAProxy', 60_000, async () => (await hostnames(18)).size === 3);
    const deleted = await bsoThroughProxy(['delete', NAME, '--wait', '--timeout', '90s']);
    assert.equal(deleted.code, 0, deleted.out);
    await waitFor('no service of ours left', 60_000, async () => (await ownedServices()).length === 0);
    await new Promise((r) => setTimeout(r, 1000));
    const calls = loggedCalls();
    const refused = calls.filter((c) => c.status === 403);
    const kinds = [...new Set(calls.map((c) => `${c.method} ${c.path.replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '').replace(/\/[a-z0-9]{25}(\/|$)/g, '/<id>$1').replace(/\/bsofcl-proxy[-a-z]*(\/|$)/g, '/<name>$1')}`))].sort();
    figure = `applied, Ready, 2 then 3 replicas answering, deleted with nothing left; ${calls.length} Docker API calls through the proxy (${kinds.length} kinds: ${kinds.join(', ')})`;
    lost = `${refused.length} of the operator's and CLI's calls refused${refused.length ? `: ${refused.map((c) => `${c.method} ${c.path}`).join(', ')}` : ''}`;
    assert.ok(calls.length > 10, `the proxy logged the calls (${calls.length})`);
    assert.deepEqual(refused, []);
    passed = true;
  } finally {
    recordFaultRow({ row: '15', fault: 'the operator and the bso CLI with DOCKER_HOST = the socket proxy (deploy/swarm/socket-proxy/haproxy.cfg), nothing else', figure, lost, passed });
  }
});

// Calls bso never makes, each a way to take the machine or read what is not its own.
const FORBIDDEN: Array<[string, string, string?]> = [
  ['GET', '/v1.41/containers/json'],
  ['POST', '/v1.41/containers/create', '{"Image":"bso-hello-api:latest","HostConfig":{"Privileged":true}}'],
  ['POST', '/v1.41/containers/x/exec', '{"Cmd":["id"]}'],
  ['POST', '/v1.41/exec/x/start', '{}'],
  ['POST', '/v1.41/images/create?fromImage=alpine'],
  ['POST', '/v1.41/build'],
  ['GET', '/v1.41/swarm'],
  ['GET', '/v1.41/swarm/unlockkey'],
  ['POST', '/v1.41/swarm/leave?force=true'],
  ['POST', '/v1.41/swarm/update'],
  ['POST', '/v1.41/nodes/x/update'],
  ['DELETE', '/v1.41/nodes/x'],
  ['GET', '/v1.41/volumes'],
  ['POST', '/v1.41/plugins/pull?remote=x'],
  ['POST', '/v1.41/secrets/x/update'],
  ['GET', '/v1.41/services/x/logs'],
  ['GET', '/v1.41/tasks/x/logs'],
  ['POST', '/v1.41/session'],
  // paths made to slip past the rules
  ['GET', '/v1.41/secrets/../containers/json'],
  ['GET', '/v1.41/services/..%2fcontainers%2fjson'],
  ['GET', '/v1.41/containers%2fjson'],
  ['POST', '/v1.41/services/x/update/../../../containers/create', '{}'],
  ['GET', '//containers/json'],
  ['GET', '/v1.41/info/../containers/json'],
  ['GET', '/v1.41/_ping/../../containers/json'],
];

test('15b. calls bso does not need are refused with 403, including paths made to slip past the rules', { timeout: 60_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  // A secret planted with a value no response may contain, so that "no secret's value" is checked
  // against one that exists (with none, the check could not fail).
  const planted = `bsofcl-planted-${process.pid}`;
  const value = `bso-planted-secret-value-${randomBytes(12).toString('hex')}`;
  await run('docker', [...LOCAL_DOCKER, 'secret', 'create', '--label', 'bso.dev/test=15b', planted, '-'], { input: value });
  try {
    const answers = await Promise.all(FORBIDDEN.map(async ([method, path, body]) => ({ method, path, ...(await rawCall(method, path, body)) })));
    const through = answers.filter((a) => a.status !== 403);
    // still allowed, shown for what it is: a secret's value never leaves Docker; a config's does
    const configs = JSON.parse((await rawCall('GET', '/v1.41/configs')).body) as Array<{ Spec: { Data?: string } }>;
    const listed = await rawCall('GET', '/v1.41/secrets');
    const secrets = JSON.parse(listed.body) as Array<{ ID: string; Spec: { Name?: string; Data?: string } }>;
    const mine = secrets.find((s) => s.Spec.Name === planted);
    assert.ok(mine, 'the planted secret is listed through the proxy');
    const inspected = await rawCall('GET', `/v1.41/secrets/${mine.ID}`);
    const encoded = Buffer.from(value).toString('base64');
    const leaks = [...answers.map((a) => a.body), listed.body, inspected.body].filter((body) => body.includes(value) || body.includes(encoded));
    const configData = configs.filter((c) => c.Spec.Data).length;
    figure = `${answers.length - through.length} of ${answers.length} forbidden calls answered 403 (containers, exec, images, build, swarm tokens and unlock key, nodes, volumes, plugins, logs, session, 7 crafted paths); still readable: every config's data (${configData} of ${configs.length} here), no secret's (${secrets.filter((s) => s.Spec.Data).length} of ${secrets.length} with data; a planted secret's value in 0 of ${answers.length + 2} responses: ${leaks.length === 0 ? 'none' : `${leaks.length}!`})`;
    assert.deepEqual(leaks, [], 'the planted secret\'s value came through the proxy');
    lost = through.length ? `let through: ${through.map((a) => `${a.method} ${a.path} -> ${a.status}`).join(', ')}` : '-';
    assert.deepEqual(through.map((a) => `${a.method} ${a.path} -> ${a.status}`), []);
    assert.equal(secrets.filter((s) => s.Spec.Data).length, 0, 'a secret value came through the proxy');
    passed = true;
  } finally {
    await run('docker', [...LOCAL_DOCKER, 'secret', 'rm', planted], { allowFailure: true });
    recordFaultRow({ row: '15', fault: `${FORBIDDEN.length} Docker API calls bso never makes, sent to the socket proxy`, figure, lost, passed });
  }
});
