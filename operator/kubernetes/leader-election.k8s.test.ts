// Two `bso operator --backend=kubernetes` processes against a REAL API server, as the operator's
// ServiceAccount: one holds the Lease and writes, the other waits on standby (not ready, no
// writes); when the leader is killed (no release), the standby takes over and converges a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServiceName } from '../../contract/names.js';
import { eventually, randomPort, specFor, uniqueName } from '../../test/conformance/conformance-world.js';
import { apiFor, BSO_NAMESPACE, editorTarget, installBso, kubectl, operatorKubeconfig, ROOT } from '../../test/k8s/real-control-plane.js';
import { KubernetesBackend } from './kubernetes-backend.js';
import { LEASE_NAME } from './leader-lease.js';

interface Operator { process: ChildProcess; url: string; log: string[] }

function startOperatorProcess(kubeconfig: string): Operator {
  const port = randomPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/bso-from-source.ts', 'operator', '--backend=kubernetes', '--listen', `127.0.0.1:${port}`, '--advertise-url', url, '--resync', '5s', '--log-format', 'json'], {
    cwd: ROOT, env: { ...process.env, KUBECONFIG: kubeconfig, BSO_NAMESPACE }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean)));
  return { process: child, url, log };
}

async function readyz(operator: Operator): Promise<{ code: number; text: string }> {
  try {
    const response = await fetch(`${operator.url}/readyz`);
    return { code: response.status, text: await response.text() };
  } catch {
    return { code: 0, text: 'no answer' };
  }
}

async function metric(operator: Operator, name: string): Promise<number> {
  const text = await (await fetch(`${operator.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

test('two operators: one leads and writes, the other waits not ready and writes nothing; the standby takes over a killed leader', async (t) => {
  await installBso();
  await kubectl(['-n', BSO_NAMESPACE, 'delete', 'lease', LEASE_NAME, '--ignore-not-found']);
  const dir = mkdtempSync(join(tmpdir(), 'bso-leader-'));
  const kubeconfig = await operatorKubeconfig(dir);
  const operators = [startOperatorProcess(kubeconfig), startOperatorProcess(kubeconfig)];
  const editorApi = apiFor(editorTarget());
  const editor = new KubernetesBackend(editorApi);
  const name = uniqueName('lead');
  t.after(async () => {
    for (const o of operators) o.process.kill('SIGKILL');
    await editor.deleteSpec(name).catch(() => false);
    await kubectl(['-n', BSO_NAMESPACE, 'delete', 'deployments,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${name}`, '--ignore-not-found']).catch(() => '');
    editorApi.close();
    rmSync(dir, { recursive: true, force: true });
  });

  await editor.putSpec(specFor(name, {}, { replicas: 1 }));
  const leaderIndex = await eventually('one operator leads and converged the spec', async () => {
    const leaders = [];
    for (const [i, o] of operators.entries()) if ((await readyz(o)).code === 200) leaders.push(i);
    const exists = await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployments', '-o', 'name']);
    return leaders.length === 1 && exists.includes(apiServiceName(name)) ? leaders[0]! : undefined;
  }, 60_000).catch((error: Error) => { throw new Error(`${error.message}\n${operators.map((o, i) => `operator ${i}:\n${o.log.slice(-10).join('\n')}`).join('\n')}`); });
  const leader = operators[leaderIndex]!;
  const standby = operators[1 - leaderIndex]!;

  // For a while (several resyncs and Lease renewals): the standby stays standby and writes nothing.
  await new Promise((resolve) => setTimeout(resolve, 8000));
  const waiting = await readyz(standby);
  assert.equal(waiting.code, 503);
  assert.match(waiting.text, /standby: the leader Lease bso-system\/bso-operator is held by /);
  assert.deepEqual([await metric(leader, 'bso_leader'), await metric(standby, 'bso_leader')], [1, 0]);
  assert.ok(await metric(leader, 'bso_backend_writes_total') > 0, 'the leader wrote');
  assert.equal(await metric(standby, 'bso_backend_writes_total'), 0, 'the standby wrote nothing');
  assert.equal(await metric(standby, 'bso_reconcile_total'), 0, 'the standby did not even reconcile');

  // The leader dies without releasing the Lease: the standby takes over once it expires.
  leader.process.kill('SIGKILL');
  await editor.putSpec(specFor(name, {}, { replicas: 3 }));
  await eventually('the former standby leads and converges the change', async () => {
    const replicas = await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployment', apiServiceName(name), '-o', 'jsonpath={.spec.replicas}']);
    return replicas === '3' && (await readyz(standby)).code === 200 ? true : undefined;
  }, 60_000).catch((error: Error) => { throw new Error(`${error.message}\n${standby.log.slice(-10).join('\n')}`); });
  assert.equal(await metric(standby, 'bso_leader'), 1);
  const transitions = await kubectl(['-n', BSO_NAMESPACE, 'get', 'lease', LEASE_NAME, '-o', 'jsonpath={.spec.leaseTransitions}']);
  assert.equal(transitions, '1');
});
