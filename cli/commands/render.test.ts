import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import type { CliContext } from '../context.js';

const root = new URL('../../', import.meta.url).pathname;

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), exitCode: 0 };
  const code = await main(['node', 'bso', ...args], ctx);
  return { code, stdout: out.join('\n') + '\n', stderr: err.join('\n') };
}

test('bso render haproxy -f examples/hello.yaml prints the golden config', async () => {
  const { code, stdout, stderr } = await run('render', 'haproxy', '-f', join(root, 'examples/hello.yaml'));
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.equal(stdout, readFileSync(join(root, 'haproxy/render/testdata/hello.swarm.cfg'), 'utf8'));
});

test('--discovery kubernetes resolves the headless Service', async () => {
  const { code, stdout } = await run('render', 'haproxy', '-f', join(root, 'examples/hello.yaml'), '--discovery', 'kubernetes', '--namespace', 'shop');
  assert.equal(code, 0);
  assert.match(stdout, /server-template replica 16 hello-api\.shop\.svc\.cluster\.local:8080 /);
  assert.match(stdout, /^ {4}parse-resolv-conf$/m);
});

test('several specs give one config each, under a header line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-render-'));
  const file = join(dir, 'two.yaml');
  const hello = readFileSync(join(root, 'examples/hello.yaml'), 'utf8');
  writeFileSync(file, `${hello}\n---\n${hello.replace('name: hello', 'name: world').replace('port: 80', 'port: 81').replace('statsPort: 8404', 'statsPort: 8405')}`);
  const { code, stdout } = await run('render', 'haproxy', '-f', file);
  assert.equal(code, 0);
  assert.deepEqual(stdout.split('\n').filter((l) => l.startsWith('# ----')), ['# ---- hello ----', '# ---- world ----']);
  assert.equal(stdout.match(/^global$/gm)?.length, 2);
});

test('an invalid spec: exit 1, every issue on stderr, nothing on stdout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-render-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, readFileSync(join(root, 'examples/hello.yaml'), 'utf8').replace('port: 9999', 'port: 99999').replace('path: /healthz', ''));
  const { code, stdout, stderr } = await run('render', 'haproxy', '-f', file);
  assert.equal(code, 1);
  assert.equal(stdout.trim(), '');
  assert.match(stderr, /spec\.agent\.port/);
  assert.match(stderr, /nothing was rendered/);
});
