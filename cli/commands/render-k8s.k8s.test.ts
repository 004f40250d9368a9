// `bso render k8s` against a REAL kube-apiserver: what it prints is accepted by
// `kubectl apply --dry-run=server` (admission, defaulting and validation of every object).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../main.js';
import type { CliContext } from '../context.js';
import { installBso, kubectl, ROOT } from '../../test/k8s/real-control-plane.js';

test('bso render k8s -f examples/hello.yaml | kubectl apply --dry-run=server -f - accepts every object', async () => {
  await installBso();
  for (const type of ['LoadBalancer', 'NodePort', 'ClusterIP']) {
    const out: string[] = [];
    const ctx: CliContext = { stdout: (l) => out.push(l), stderr: (l) => out.push(`stderr: ${l}`), exitCode: 0 };
    assert.equal(await main(['node', 'bso', 'render', 'k8s', '-f', join(ROOT, 'examples/hello.yaml'), '--haproxy-service-type', type, '--pdb-version', 'v1beta1'], ctx), 0);
    const answer = await kubectl(['apply', '--dry-run=server', '-f', '-'], out.join('\n'));
    assert.deepEqual(answer.trim().split('\n'), [
      'networkpolicy.networking.k8s.io/hello-net created (server dry run)',
      'secret/hello-stats-auth created (server dry run)',
      'deployment.apps/hello-api created (server dry run)',
      'service/hello-api created (server dry run)',
      'poddisruptionbudget.policy/hello-api created (server dry run)',
      'deployment.apps/hello-haproxy created (server dry run)',
      'service/hello-haproxy created (server dry run)',
    ], type);
  }
});
