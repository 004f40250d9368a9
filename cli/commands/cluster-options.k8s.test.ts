// --kubeconfig, --context and -n/--namespace on the verbs that talk to a cluster, against a REAL
// kube-apiserver, as a user who may edit BalancedServices in bso-system only (the `edit` role).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../main.js';
import type { CliContext } from '../context.js';
import { specFor, uniqueName } from '../../test/conformance/conformance-world.js';
import { BSO_NAMESPACE, editorTarget, installBso, caDataOf, kubectl, testKubeconfig } from '../../test/k8s/real-control-plane.js';

async function bso(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), exitCode: 0 };
  const code = await main(['node', 'bso', ...args], ctx);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('apply, diff, get and delete reach the namespace and context the flags name', async (t) => {
  await installBso();
  const dir = mkdtempSync(join(tmpdir(), 'bso-flags-'));
  const name = uniqueName('flags');
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(specFor(name)));
  const kubeconfig = join(dirname(testKubeconfig()), 'editor.kubeconfig');
  const flags = ['--backend', 'kubernetes', '--kubeconfig', kubeconfig];
  t.after(async () => {
    await kubectl(['-n', BSO_NAMESPACE, 'delete', 'balancedservice', name, '--ignore-not-found']);
    rmSync(dir, { recursive: true, force: true });
  });

  // The kubeconfig's own namespace (default) is not the editor's: the server refuses, bso says why.
  const refused = await bso('apply', '-f', file, ...flags);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /403 Forbidden .* in default|default\/.*403|forbidden/i);
  const wrongContext = await bso('apply', '-f', file, ...flags, '--context', 'nope');
  assert.notEqual(wrongContext.code, 0);
  assert.match(wrongContext.stderr, /context "nope" not found/);

  const applied = await bso('apply', '-f', file, ...flags, '--context', 'bso-test', '-n', BSO_NAMESPACE);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, new RegExp(`balancedservice/${name} created`));
  assert.equal(await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservice', name, '-o', 'jsonpath={.metadata.name}']), name);
  assert.equal((await bso('diff', '-f', file, ...flags, '--namespace', BSO_NAMESPACE)).code, 0, 'no difference');
  const deleted = await bso('delete', name, ...flags, '-n', BSO_NAMESPACE);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservices', '-o', 'name']).then((o) => o.includes(name)), false);
});

test('a kubeconfig whose user is an exec credential plugin (as EKS, GKE and AKS use) reaches the real API server', async (t) => {
  await installBso();
  const dir = mkdtempSync(join(tmpdir(), 'bso-exec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const editor = editorTarget().config;
  const cluster = editor.getCurrentCluster()!;
  const plugin = join(dir, 'plugin.sh');
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: editor.getCurrentUser()!.token } });
  writeFileSync(plugin, `#!/bin/sh\necho '${credential}'\n`, { mode: 0o755 });
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'exec',
    clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': caDataOf(cluster) } }],
    users: [{ name: 'cloud', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, interactiveMode: 'Never' } } }],
    contexts: [{ name: 'exec', context: { cluster: 'test', user: 'cloud', namespace: BSO_NAMESPACE } }],
  }));
  const listed = await bso('get', '--backend', 'kubernetes', '--kubeconfig', kubeconfig, '-o', 'json', '--operator', 'http://127.0.0.1:1');
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(Array.isArray((JSON.parse(listed.stdout) as { items: unknown[] }).items));
});
