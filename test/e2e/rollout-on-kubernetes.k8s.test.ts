// Rollouts on Kubernetes, with pods (npm run k8s:up -- --pods), issue #18: a changed env rolls
// the API pods one at a time (spec.rollout's defaults, maxSurge 1 and maxUnavailable 0), each new
// pod Ready only once HAProxy has it UP (the readinessProbe on /readyz), while requests through
// the HAProxy pod keep being answered; status.rollout ends Complete with every pod of the new
// revision Ready. Then an image that cannot start: no new pod becomes Ready, the Deployment's
// progress deadline passes, status.rollout says Failed and Degraded says RolloutFailed, while
// the old pods serve; a spec with a good revision again completes. The operator runs on the host
// as in the seed experiment (seed-on-kubernetes.k8s.test.ts), with the endpoints DNS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSO_NAMESPACE, installBso, kubectl } from '../k8s/real-control-plane.js';
import { balancedServiceStatus, nodeAddress, NO_NODE, startNodeOperator, stopNodeOperator, podsOf, runningPodsOf, serverAt } from '../k8s/pods.js';
import { waitFor } from '../../bench/lib/run.js';
import type { BalancedServiceStatus } from '../../crd/types.generated.js';
import { LABEL_REVISION } from '../../contract/names.js';
import { PROGRESS_DEADLINE_SECONDS } from '../../operator/kubernetes/deployment-rollout.js';

const NAME = 'rollout-k8s';
const HAPROXY_PORT = 18100;
const work = mkdtempSync(join(tmpdir(), 'bso-rollout-k8s-'));
let operator: ChildProcess | undefined;
let nodeIp = '';

const specWith = (change: { env?: Record<string, string>; image?: string }) => ({
  apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: NAME, namespace: BSO_NAMESPACE },
  spec: {
    image: change.image ?? 'bso-hello-api:latest', replicas: 2, port: 8080, env: change.env ?? {},
    resources: { cpus: 0.5, memory: '256Mi' },
    haproxy: { port: HAPROXY_PORT, statsPort: HAPROXY_PORT + 1 },
  },
});

const status = () => balancedServiceStatus(NAME);
const condition = (s: BalancedServiceStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);
const apiSelector = `bso.dev/balancedservice=${NAME},bso.dev/component=api`;

/** The API pods with their revision label and readiness. */
async function apiPods(): Promise<Array<{ name: string; revision: string; ready: boolean; phase?: string }>> {
  const list = JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'pods', '-l', apiSelector, '-o', 'json'])) as { items: Array<{ metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string } }> };
  const views = await podsOf(apiSelector);
  return list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => {
    const view = views.find((v) => v.name === p.metadata.name);
    return { name: p.metadata.name, revision: p.metadata.labels[LABEL_REVISION] ?? '', ready: view?.ready ?? false, phase: view?.phase };
  });
}

/** Requests through the HAProxy pod, one after another, until stopped: how many, and what failed. */
function keepAsking(address: string): { stop(): Promise<{ sent: number; failed: string[] }> } {
  let running = true;
  const failed: string[] = [];
  let sent = 0;
  const loop = (async () => {
    while (running) {
      sent++;
      try {
        const response = await fetch(`http://${address}:${HAPROXY_PORT}/`, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        if (response.status !== 200) failed.push(`HTTP ${response.status} at ${new Date().toISOString()}`);
      } catch (error) {
        failed.push(`${(error as Error).message} at ${new Date().toISOString()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { async stop() { running = false; await loop; return { sent, failed }; } };
}

before(async () => {
  const address = await nodeAddress();
  if (!address) return;
  nodeIp = address;
  await installBso();
  operator = await startNodeOperator(nodeIp, work);
});

after(() => stopNodeOperator(operator, NAME));

const skip = () => (nodeIp === '' ? NO_NODE : false);
let firstRevision = '';
let secondRevision = '';

test('1. apply: the rollout is Complete, both API pods Ready (HAProxy has them UP) and carrying the revision; a budget for the two', { timeout: 300_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  await kubectl(['apply', '-f', '-'], JSON.stringify(specWith({})));
  const { value: done, ms } = await waitFor('status.rollout Complete', 240_000, async () => {
    const s = await status();
    const pods = await apiPods();
    return s?.rollout?.state === 'Complete' && pods.length === 2 && pods.every((p) => p.ready) ? s : undefined;
  });
  firstRevision = done.rollout!.revision;
  assert.deepEqual((await apiPods()).map((p) => p.revision), [firstRevision, firstRevision]);
  for (const pod of await runningPodsOf(NAME, 'api')) assert.equal(serverAt(done, pod.ip)?.state, 'UP', pod.name);
  assert.equal(await kubectl(['-n', BSO_NAMESPACE, 'get', 'poddisruptionbudget', `${NAME}-api`, '-o', 'jsonpath={.spec.maxUnavailable}']), '1');
  console.log(`Complete with both pods Ready ${ms} ms after apply: revision ${firstRevision}`);
});

test('2. a changed env rolls the pods one at a time, each new one Ready once HAProxy serves it; requests keep being answered; Complete', { timeout: 300_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  const [haproxy] = await runningPodsOf(NAME, 'haproxy');
  assert.ok(haproxy, 'an HAProxy pod runs');
  const before = (await apiPods()).map((p) => p.name);
  const traffic = keepAsking(haproxy.ip);
  let fewestReady = Infinity;
  let sawProgressing = false;
  await kubectl(['apply', '-f', '-'], JSON.stringify(specWith({ env: { GREETING: 'second' } })));
  const { value: done, ms } = await waitFor('the new revision Complete', 240_000, async () => {
    const [s, pods] = [await status(), await apiPods()];
    fewestReady = Math.min(fewestReady, pods.filter((p) => p.ready).length);
    if (s?.rollout?.state === 'Progressing') sawProgressing = true;
    const fresh = s?.rollout?.revision !== firstRevision;
    return fresh && s?.rollout?.state === 'Complete' && pods.length === 2 && pods.every((p) => p.ready && p.revision === s.rollout!.revision) ? s : undefined;
  }, 250);
  const { sent, failed } = await traffic.stop();
  secondRevision = done.rollout!.revision;
  console.log(`revision ${secondRevision} Complete ${ms} ms after the apply; ${sent} requests through HAProxy, ${failed.length} failed; at least ${fewestReady} pods Ready throughout`);
  assert.ok(sawProgressing, 'status.rollout said Progressing on the way');
  assert.ok((await apiPods()).every((p) => !before.includes(p.name)), 'both pods replaced');
  assert.deepEqual(failed, [], 'no request failed during the rollout');
  assert.ok(fewestReady >= 2, `maxUnavailable 0: never fewer than 2 Ready pods (saw ${fewestReady})`);
  assert.equal(condition(done, 'Degraded')?.status, 'False');
});

test('3. an image that cannot start: past the progress deadline the rollout is Failed (Degraded RolloutFailed), the old pods serve; a good spec completes again', { timeout: 420_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  const [haproxy] = await runningPodsOf(NAME, 'haproxy');
  await kubectl(['apply', '-f', '-'], JSON.stringify(specWith({ env: { GREETING: 'second' }, image: 'bso.local/no-such-image:1' })));
  const { value: failed, ms } = await waitFor('status.rollout Failed', (PROGRESS_DEADLINE_SECONDS + 120) * 1000, async () => {
    const s = await status();
    return s?.rollout?.state === 'Failed' ? s : undefined;
  }, 1000);
  console.log(`Failed ${ms} ms after the apply: ${failed.rollout!.message}`);
  assert.notEqual(failed.rollout!.revision, secondRevision);
  assert.match(failed.rollout!.message, /ProgressDeadlineExceeded/);
  assert.equal(failed.rollout!.oldReplicas, 2);
  assert.deepEqual([condition(failed, 'Degraded')?.status, condition(failed, 'Degraded')?.reason], ['True', 'RolloutFailed']);
  assert.equal(condition(failed, 'Progressing')?.reason, 'RolloutFailed');
  const pods = await apiPods();
  assert.deepEqual(pods.filter((p) => p.ready).map((p) => p.revision), [secondRevision, secondRevision], 'the old pods are Ready and serve');
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`http://${haproxy!.ip}:${HAPROXY_PORT}/`, { signal: AbortSignal.timeout(3000) });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  }

  // Back to the revision that works: not the held one, so it is applied; Kubernetes scales the old ReplicaSet back.
  await kubectl(['apply', '-f', '-'], JSON.stringify(specWith({ env: { GREETING: 'second' } })));
  const back = await waitFor('Complete again', 180_000, async () => {
    const [s, now] = [await status(), await apiPods()];
    return s?.rollout?.state === 'Complete' && s.rollout.revision === secondRevision && now.length === 2 && now.every((p) => p.ready) ? s : undefined;
  });
  assert.equal(condition(back.value, 'Degraded')?.status, 'False');
  console.log(`Complete again ${back.ms} ms after the good spec`);
});

test('4. delete: nothing of bso\'s is left', { timeout: 180_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  await kubectl(['-n', BSO_NAMESPACE, 'delete', 'balancedservice', NAME]);
  await waitFor('every object of the BalancedService gone', 150_000, async () => {
    const left = (await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployments,replicasets,pods,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${NAME}`, '-o', 'name'])).trim();
    return left === '';
  }, 1000);
});
