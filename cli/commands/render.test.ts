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

test('bso render k8s prints the operator\'s objects for each spec as YAML documents, in the operator\'s namespace', async () => {
  const { parseAllDocuments } = await import('yaml');
  const { code, stdout, stderr } = await run('render', 'k8s', '-f', join(root, 'examples/hello.yaml'), '--haproxy-service-type', 'NodePort');
  assert.deepEqual([code, stderr], [0, '']);
  const objects = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec?: { type?: string; template?: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } });
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), [
    'NetworkPolicy/hello-net', 'Secret/hello-stats-auth', 'Deployment/hello-api', 'Service/hello-api', 'PodDisruptionBudget/hello-api', 'Deployment/hello-haproxy', 'Service/hello-haproxy',
  ]);
  assert.ok(objects.every((o) => o.metadata.namespace === 'bso-system' && o.metadata.labels['bso.dev/balancedservice'] === 'hello'));
  assert.equal(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'hello-haproxy')!.spec!.type, 'NodePort');
  const supervisor = objects.find((o) => o.metadata.name === 'hello-haproxy' && o.kind === 'Deployment')!.spec!.template!.spec.containers[0]!.env;
  assert.ok(supervisor.some((e) => e.value === 'http://bso-operator.bso-system.svc:9464'), JSON.stringify(supervisor));
  const shop = await run('render', 'k8s', '-f', join(root, 'examples/hello.yaml'), '--namespace', 'shop');
  assert.match(shop.stdout, /namespace: shop\n/);
  assert.match(shop.stdout, /http:\/\/bso-operator\.shop\.svc:9464/);
  // The budget's API: policy/v1 unless asked for Kubernetes 1.20's v1beta1.
  const budgetApi = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as { kind: string; apiVersion: string }).find((o) => o.kind === 'PodDisruptionBudget')!.apiVersion;
  assert.equal(budgetApi(stdout), 'policy/v1');
  const old = await run('render', 'k8s', '-f', join(root, 'examples/hello.yaml'), '--pdb-version', 'v1beta1');
  assert.equal(budgetApi(old.stdout), 'policy/v1beta1');
  const bad = await run('render', 'k8s', '-f', join(root, 'examples/hello.yaml'), '--pdb-version', 'v2');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--pdb-version <version>' argument 'v2' is invalid\. Allowed choices are v1, v1beta1/);
});

test('bso render k8s with an invalid spec prints its issues and no object', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-render-k8s-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, readFileSync(join(root, 'examples/hello.yaml'), 'utf8').replace(/replicas: \d+/, 'replicas: -1'));
  const { code, stdout, stderr } = await run('render', 'k8s', '-f', file);
  assert.equal(code, 1);
  assert.equal(stdout.trim(), '');
  assert.match(stderr, /bad\.yaml:\d+:\d+: spec\.replicas/);
});
