// The images that `npm run setup` builds (scripts/build-images.sh, docs/images.md), run for real:
// tools and versions inside them, the API replica answering HTTP and agent checks, the seed's
// `docker exec ... stress-ng` as the image's non-root user, the supervisor starting HAProxy, the
// operator starting, and a second build run that changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { run, waitFor } from './support.js';

const IMAGES = { api: 'bso-hello-api:latest', haproxy: 'bso-haproxy:latest', operator: 'bso-operator:latest' } as const;
const TEST_LABEL = 'org.bso.test=images-e2e';

async function removeTestContainers(): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=${TEST_LABEL}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await run('docker', ['rm', '-f', ...ids], { allowFailure: true });
}

/** Starts a container of IMAGE detached, its ports published on loopback only. */
async function startContainer(image: string, ports: number[], env: Record<string, string> = {}): Promise<string> {
  const publish = ports.flatMap((port) => ['-p', `127.0.0.1::${port}`]);
  const environment = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  const { stdout } = await run('docker', ['run', '-d', '--label', TEST_LABEL, ...environment, ...publish, image]);
  return stdout.trim();
}

async function hostPort(container: string, port: number): Promise<number> {
  const { stdout } = await run('docker', ['port', container, `${port}/tcp`]);
  const match = /127\.0\.0\.1:(\d+)/.exec(stdout);
  assert.ok(match, `port ${port} of ${container} is not published on 127.0.0.1: ${stdout}`);
  return Number(match[1]);
}

/** Runs a command in a fresh container of IMAGE instead of its entrypoint. */
async function runIn(image: string, command: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run('docker', ['run', '--rm', '--label', TEST_LABEL, '--entrypoint', command, image, ...args]);
  return stdout + stderr;
}

/**
 * GET with a deadline that keeps the event loop alive: a fetch through docker-proxy to a port
 * whose container does not listen yet can stay pending with nothing else holding the loop, and
 * the test runner would then cancel the test.
 */
async function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(async (res) => ({ status: res.status, body: await res.text() })),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One agent-check exchange: connect, read the line, the agent closes. */
function askAgent(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(3000, () => socket.destroy(new Error('the agent did not answer within 3 s')));
    socket.on('data', (chunk) => { text += chunk.toString(); });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

async function imageIds(): Promise<string[]> {
  const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{.Id}}', ...Object.values(IMAGES)]);
  return stdout.trim().split('\n');
}

before(removeTestContainers);
after(removeTestContainers);

test('the three images exist, built by scripts/build-images.sh', async () => {
  for (const image of Object.values(IMAGES)) {
    const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{index .Config.Labels "org.bso.inputs-hash"}}', image]);
    assert.match(stdout.trim(), /^[0-9a-f]{64}$/, `${image} carries no inputs hash`);
  }
});

test('every image runs Node.js 20', async () => {
  for (const image of Object.values(IMAGES)) {
    assert.match((await runIn(image, 'node', ['--version'])).trim(), /^v20\.\d+\.\d+$/, image);
  }
});

test('bso-haproxy has HAProxy 2.6 or later with the Prometheus exporter', async () => {
  const version = await runIn(IMAGES.haproxy, 'haproxy', ['-vv']);
  const match = /HAProxy version (\d+)\.(\d+)/.exec(version);
  assert.ok(match, `no version in haproxy -vv:\n${version.slice(0, 300)}`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  assert.ok(major > 2 || (major === 2 && minor >= 6), `HAProxy ${major}.${minor} is older than 2.6`);
  assert.match(version, /Built with the Prometheus exporter/);
  assert.match(version, /prometheus-exporter/);
});

test('bso-hello-api has stress-ng', async () => {
  assert.match(await runIn(IMAGES.api, 'stress-ng', ['--version']), /^stress-ng, version \d+\.\d+/);
});

test('a bso-hello-api container answers GET / with JSON and agent checks, as a non-root user', { timeout: 60_000 }, async (t) => {
  const container = await startContainer(IMAGES.api, [8080, 9999]);
  t.after(() => run('docker', ['rm', '-f', container], { allowFailure: true }));
  const [httpPort, agentPort] = [await hostPort(container, 8080), await hostPort(container, 9999)];

  const { value: body } = await waitFor('GET / on the api container', 30_000, async () => {
    const res = await httpGet(`http://127.0.0.1:${httpPort}/`);
    return res.status === 200 ? res.body : undefined;
  });
  const json = JSON.parse(body) as Record<string, unknown>;
  const hostname = (await run('docker', ['inspect', '-f', '{{.Config.Hostname}}', container])).stdout.trim();
  assert.equal(json['hostname'], hostname, 'GET / names the container it runs in');

  const line = await askAgent(agentPort);
  assert.match(line, /^(ready \d+%( maxconn:\d+)?|up( \d+%)?)\n$/, `agent answered ${JSON.stringify(line)}`);

  const uid = (await run('docker', ['exec', container, 'ps', '-o', 'uid=', '-C', 'node'])).stdout.trim();
  assert.ok(uid !== '' && !uid.split(/\s+/).includes('0'), `node runs as uid ${uid}`);

  // the seed's demo, shortened: docker exec as the image's user, in its working directory
  const stress = await run('docker', ['exec', container, 'stress-ng', '--cpu', '1', '--vm', '1', '--vm-bytes', '5%', '--timeout', '1s']);
  assert.match(stress.stdout + stress.stderr, /successful run completed/);
});

test('a bso-haproxy container starts HAProxy under its supervisor, as a non-root user', { timeout: 60_000 }, async (t) => {
  // the supervisor needs the name of its BalancedService; without an operator it serves the
  // bootstrap config
  const container = await startContainer(IMAGES.haproxy, [9465], { BSO_HAPROXY_NAME: 'images-e2e' });
  t.after(() => run('docker', ['rm', '-f', container], { allowFailure: true }));
  const port = await hostPort(container, 9465);
  await waitFor('the supervisor /healthz', 30_000, async () => (await httpGet(`http://127.0.0.1:${port}/healthz`)).status === 200);
  const processes = (await run('docker', ['exec', container, 'ps', '-eo', 'user=,comm='])).stdout;
  const haproxyUsers = processes.split('\n').filter((l) => /\bhaproxy$/.test(l.trim())).map((l) => l.trim().split(/\s+/)[0]);
  assert.ok(haproxyUsers.length > 0, `no haproxy process:\n${processes}`);
  assert.ok(!haproxyUsers.includes('root'), `haproxy runs as root:\n${processes}`);
});

test('the bso-operator image starts the operator', { timeout: 60_000 }, async (t) => {
  const help = await run('docker', ['run', '--rm', '--label', TEST_LABEL, IMAGES.operator, 'operator', '--help']);
  assert.match(help.stdout, /Usage: bso operator/);
  const validate = await run('docker', ['run', '--rm', '--label', TEST_LABEL, IMAGES.operator, 'validate', '--help']);
  assert.match(validate.stdout, /Usage: bso validate/, 'the image runs any bso command line (the stack files rely on it)');
  // without the Docker socket it must keep running and say what it waits for
  const container = await startContainer(IMAGES.operator, []);
  t.after(() => run('docker', ['rm', '-f', container], { allowFailure: true }));
  await waitFor('the operator to report that it waits for Docker', 30_000, async () => {
    const logs = await run('docker', ['logs', container]);
    return /waiting for Docker/.test(logs.stdout + logs.stderr);
  });
  assert.equal((await run('docker', ['inspect', '-f', '{{.State.Running}}', container])).stdout.trim(), 'true');
});

test('building again with unchanged inputs changes no image', { timeout: 300_000 }, async () => {
  await run('bash', ['scripts/build-images.sh']); // brings the images up to date with this tree
  const before = await imageIds();
  const second = await run('bash', ['scripts/build-images.sh']);
  assert.deepEqual(await imageIds(), before);
  for (const image of Object.values(IMAGES)) assert.match(second.stderr, new RegExp(`image ${image} is up to date`));
});
