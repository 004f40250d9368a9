// The seed experiment on Kubernetes, with pods (npm run k8s:up -- --pods: the real control plane,
// kubelet, kube-scheduler and kube-proxy 1.20.2, a private containerd with Debian's CNI plugins):
// a BalancedService becomes Ready with two API pods behind an HAProxy pod; stress-ng in one API
// pod (kubectl exec) -> HAProxy has it in MAINT and sends every request to the other -> back UP
// once the stress ends; delete -> nothing of bso's is left. The operator runs on the host as the
// bso-operator ServiceAccount of deploy/k8s, as `bso operator` (the CLI from dist/); HAProxy finds
// the API pods through the operator's endpoints DNS, since there is no cluster DNS here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSO_NAMESPACE, installBso, kubectl } from '../k8s/real-control-plane.js';
import { balancedServiceStatus, nodeAddress, NO_NODE, startNodeOperator, stopNodeOperator, runningPodsOf, serverAt } from '../k8s/pods.js';
import { waitFor } from '../../bench/lib/run.js';
import type { BalancedServiceStatus } from '../../crd/types.generated.js';

const NAME = 'seed-k8s';
const HAPROXY_PORT = 18080;
const work = mkdtempSync(join(tmpdir(), 'bso-seed-k8s-'));
let operator: ChildProcess | undefined;
let nodeIp = '';

const spec = {
  apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: NAME, namespace: BSO_NAMESPACE },
  spec: {
    image: 'bso-hello-api:latest', replicas: 2, port: 8080,
    resources: { cpus: 0.5, memory: '256Mi' },
    agent: { port: 9999, interval: '500ms', metric: 'cpu', thresholds: { maint: 80, ready: 60 } },
    haproxy: { port: HAPROXY_PORT, statsPort: 18404, balance: 'random' },
  },
};

const pods = (component: 'api' | 'haproxy') => runningPodsOf(NAME, component);
const status = () => balancedServiceStatus(NAME);
const ready = (s: BalancedServiceStatus | undefined) => s?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

before(async () => {
  const address = await nodeAddress();
  if (!address) return;
  nodeIp = address;
  await installBso();
  operator = await startNodeOperator(nodeIp, work);
});

after(() => stopNodeOperator(operator, NAME));

const skip = () => (nodeIp === '' ? NO_NODE : false);

test('1. apply: Ready with both API pods UP in HAProxy, requests answered through the HAProxy pod', { timeout: 300_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  await kubectl(['apply', '-f', '-'], JSON.stringify(spec));
  const { ms } = await waitFor('the BalancedService to be Ready', 240_000, async () => ready(await status()));
  // Ready means serving (one server UP is enough, as on Swarm); the second pod's address reaches
  // HAProxy with its next DNS query.
  const both = await waitFor('both API pods UP in HAProxy', 60_000, async () => {
    const [apis, s] = [await pods('api'), await status()];
    return apis.length === 2 && apis.every((api) => serverAt(s, api.ip)?.state === 'UP');
  });
  const [haproxy] = await pods('haproxy');
  assert.ok(haproxy, 'an HAProxy pod runs');
  const answers = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const response = await fetch(`http://${haproxy.ip}:${HAPROXY_PORT}/`, { signal: AbortSignal.timeout(3000) });
    assert.equal(response.status, 200);
    answers.add(await servedBy(response));
  }
  console.log(`Ready ${ms} ms after apply, both pods UP ${both.ms} ms later; 20 requests through HAProxy (${haproxy.ip}) answered by ${[...answers].join(', ')}`);
  assert.equal(answers.size, 2, 'both pods answer');
});

/** The pod that answered: the API's hostname, which is the pod's name. */
async function servedBy(response: Response): Promise<string> {
  const body = await response.text();
  const json = JSON.parse(body) as { hostname?: string; host?: string };
  return json.hostname ?? json.host ?? body;
}

test('2. stress-ng in one API pod: MAINT in HAProxy, every request to the other pod, then back UP', { timeout: 300_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  const [stressed, other] = await pods('api');
  assert.ok(stressed && other);
  const [haproxy] = await pods('haproxy');
  // The seed's CPU load (its --vm workers are left out: in a 256Mi pod they bring the OOM killer,
  // which the Swarm e2e test covers).
  const stress = kubectl(['-n', BSO_NAMESPACE, 'exec', stressed.name, '--', 'stress-ng', '--cpu', '4', '--timeout', '25s']);
  const maint = await waitFor(`${stressed.name} MAINT in HAProxy`, 60_000, async () => serverAt(await status(), stressed.ip)?.state === 'MAINT');
  const answers = new Set<string>();
  for (let i = 0; i < 20; i++) answers.add(await servedBy(await fetch(`http://${haproxy!.ip}:${HAPROXY_PORT}/`, { signal: AbortSignal.timeout(3000) })));
  console.log(`stress-ng in ${stressed.name}: MAINT ${maint.ms} ms after kubectl exec; 20 requests answered by ${[...answers].join(', ')}`);
  assert.deepEqual([...answers], [other.name], 'every request went to the pod that was not stressed');
  await stress;
  const back = await waitFor(`${stressed.name} UP again`, 90_000, async () => serverAt(await status(), stressed.ip)?.state === 'UP');
  console.log(`${stressed.name} UP again ${back.ms} ms after stress-ng ended`);
});

test('3. delete: nothing of bso\'s is left (owner references, garbage collection)', { timeout: 180_000 }, async (t) => {
  if (skip()) { t.skip(skip() as string); return; }
  await kubectl(['-n', BSO_NAMESPACE, 'delete', 'balancedservice', NAME]);
  const gone = await waitFor('every object of the BalancedService gone', 150_000, async () => {
    const left = (await kubectl(['-n', BSO_NAMESPACE, 'get', 'deployments,replicasets,pods,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${NAME}`, '-o', 'name'])).trim();
    return left === '' ? true : false;
  }, 1000);
  console.log(`nothing left ${gone.ms} ms after the delete`);
});
