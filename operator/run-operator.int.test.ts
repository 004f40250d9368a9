// The operator as a real process (from source), started where Docker does not answer: its HTTP
// server is up from the first second, /healthz answers 200, /readyz 503 with the reason naming
// the endpoint, /metrics answers, and the API says it is not connected yet. A DOCKER_HOST that is
// not a Docker endpoint at all ends the process with exit 2 and a message that names it.
// (Ready once connected is shown on the real Swarm: test/e2e/swarm.e2e.test.ts waits for /readyz.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../test/support/free-port.js';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../bench/lib/run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** bso from this checkout's TypeScript (the fault suite's entry point). */
const CLI = ['--import', 'tsx', 'test/faults/bso-from-source.ts'];


test('Docker away at start-up: /healthz 200 and /metrics at once, /readyz 503 naming DOCKER_HOST, the API 503', { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  const child = spawn(process.execPath, [...CLI, 'operator', '--listen', `127.0.0.1:${port}`], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/bso-test/docker.sock' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d; });
  child.stderr.on('data', (d: Buffer) => { output += d; });
  t.after(() => { child.kill('SIGKILL'); });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`the operator's /healthz (output: ${output})`, 20_000, async () => (await fetch(`${base}/healthz`)).ok, 100);

  const ready = await waitFor('/readyz to name the endpoint', 10_000, async () => {
    const r = await fetch(`${base}/readyz`);
    const body = await r.text();
    return /docker\.sock/.test(body) ? { status: r.status, body } : undefined;
  }, 100);
  assert.equal(ready.value.status, 503);
  assert.match(ready.value.body, /^not ready: waiting for Docker at unix:\/\/\/nonexistent\/bso-test\/docker\.sock: .*ENOENT/);
  const metrics = await fetch(`${base}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^bso_backend_up 0$/m);
  const api = await fetch(`${base}/v1/balancedservices`);
  assert.equal(api.status, 503);
  assert.match(((await api.json()) as { message: string }).message, /not connected yet: waiting for Docker/);
  assert.equal(child.exitCode, null, 'still running: it waits for Docker');
  // Not a terminal: JSON lines, the same fields as every bso program.
  const waiting = output.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => String(r.msg).startsWith('waiting for Docker'));
  assert.ok(waiting, output);
  assert.equal(waiting.level, 'warn');
  assert.equal(waiting.component, 'operator');
  assert.match(String(waiting.msg), /^waiting for Docker at unix:\/\/\/nonexistent\/bso-test\/docker\.sock: .*retrying in/);
});

test('--log-format text --log-level warn: text lines, the info lines left out', { timeout: 60_000 }, async (t) => {
  const child = spawn(process.execPath, [...CLI, 'operator', '--listen', '127.0.0.1:0', '--log-format', 'text', '--log-level', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/bso-test/docker.sock' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d; });
  t.after(() => { child.kill('SIGKILL'); });
  await waitFor('a warning', 20_000, async () => output.includes('waiting for Docker'), 100);
  const lines = output.split('\n').filter(Boolean);
  assert.ok(lines.every((l) => /^\d{4}-\d\d-\d\dT\S+Z WARN {2}operator: /.test(l)), output);
  assert.doesNotMatch(output, /serving \/healthz/, 'info lines are below --log-level warn');
});

test('DOCKER_HOST that is not a Docker endpoint: exit 2, the message names it and says what to write', () => {
  const r = spawnSync(process.execPath, [...CLI, 'operator', '--listen', '127.0.0.1:0'], {
    cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, DOCKER_HOST: 'garbage' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /DOCKER_HOST=garbage: not a Docker endpoint; write unix:\/\/\/path\/to\/docker\.sock or tcp:\/\/HOST:PORT/);
  assert.doesNotMatch(r.stderr, /Invalid URL|at .*\.ts:\d+/);
});
