// The shipped operator Deployment (deploy/k8s/operator.yaml) in pods on the test node of
// npm run k8s:up -- --pods: two replicas, non-root and read-only as shipped, in-cluster
// credentials (the `kubernetes` Service, the bso-operator ServiceAccount's mounted token), probed
// on /healthz and /readyz. One leads (holds the Lease, ready), the other stands by (running, not
// ready); the leader converges a BalancedService whose HAProxy pod reaches it through the
// operator's Service; delete the leader's pod and the standby takes over and converges a change;
// delete the BalancedService and nothing is left. This node has no cluster DNS, so the Deployment
// gets what docs/kubernetes.md says such a cluster needs: the Service's IP as BSO_ADVERTISE_URL
// and the endpoints DNS on a UDP port of the Service.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BSO_NAMESPACE, installBso, kubectl } from '../k8s/real-control-plane.js';
import { waitFor } from '../../bench/lib/run.js';
import { balancedServiceStatus, nodeAddress, NO_NODE, podsOf, runningPodsOf, serverAt } from '../k8s/pods.js';

const NAME = 'inpod';
const HAPROXY_PORT = 18090;
const OPERATOR = ['-n', BSO_NAMESPACE];
let hasNode = false;

const operatorPods = () => podsOf('bso.dev/component=operator');
async function leaseHolder(): Promise<string> {
  return kubectl([...OPERATOR, 'get', 'lease', 'bso-operator', '-o', 'jsonpath={.spec.holderIdentity}']).catch(() => '');
}
/** Every API pod UP in HAProxy, as the status on the resource says, and as many as wanted. */
async function allUp(replicas: number): Promise<boolean> {
  const [apis, status] = [await runningPodsOf(NAME, 'api'), await balancedServiceStatus(NAME)];
  return apis.length === replicas && apis.every((p) => serverAt(status, p.ip)?.state === 'UP');
}

before(async () => {
  if (!(await nodeAddress())) return;
  hasNode = true;
  await installBso(); // the shipped manifests, the operator scaled to 0
  await kubectl([...OPERATOR, 'patch', 'service', 'bso-operator', '--type', 'json', '-p',
    JSON.stringify([{ op: 'add', path: '/spec/ports/-', value: { name: 'dns', port: 5353, targetPort: 5353, protocol: 'UDP' } }])]);
  const ip = await kubectl([...OPERATOR, 'get', 'service', 'bso-operator', '-o', 'jsonpath={.spec.clusterIP}']);
  await kubectl([...OPERATOR, 'set', 'env', 'deployment/bso-operator', `BSO_ADVERTISE_URL=http://${ip}:9464`,
    'BSO_ENDPOINTS_DNS=0.0.0.0:5353', `BSO_ENDPOINTS_DNS_ADDRESS=${ip}:5353`]);
  await kubectl([...OPERATOR, 'scale', 'deployment/bso-operator', '--replicas', '2']);
});

after(async () => {
  if (!hasNode) return;
  await kubectl([...OPERATOR, 'delete', 'balancedservice', NAME, '--ignore-not-found']).catch(() => {});
  // The next test file installs deploy/k8s afresh (its operator scaled to 0).
  await kubectl([...OPERATOR, 'delete', 'deployment/bso-operator', 'service/bso-operator', '--ignore-not-found']).catch(() => {});
  await waitFor('the operator pods gone', 60_000, async () => (await operatorPods()).length === 0).catch(() => {});
});

test('1. the shipped Deployment runs two operator pods: one leads (holds the Lease, ready), one stands by (running, not ready)', { timeout: 180_000 }, async (t) => {
  if (!hasNode) { t.skip(NO_NODE); return; }
  const { value: [leader, standby], ms } = await waitFor('two operator pods running, one of them ready', 150_000, async () => {
    const pods = await operatorPods();
    const running = pods.filter((p) => p.phase === 'Running');
    const ready = running.filter((p) => p.ready);
    return running.length === 2 && ready.length === 1 ? [ready[0]!, running.find((p) => !p.ready)!] as const : undefined;
  }, 1000);
  assert.ok((await leaseHolder()).startsWith(`${leader.name}_`), `the ready pod ${leader.name} holds the Lease (${await leaseHolder()})`);
  // Still not ready a probe period later: a standby, not a slow starter.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const again = (await operatorPods()).find((p) => p.name === standby.name);
  assert.ok(again && again.phase === 'Running' && !again.ready, `${standby.name} stays running and not ready`);
  console.log(`operator pods up ${ms} ms after scaling to 2: leader ${leader.name}, standby ${standby.name}`);
});

test('2. the operator in its pod converges a BalancedService: Ready, every API pod UP, requests answered through HAProxy', { timeout: 240_000 }, async (t) => {
  if (!hasNode) { t.skip(NO_NODE); return; }
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: NAME, namespace: BSO_NAMESPACE },
    spec: { image: 'bso-hello-api:latest', replicas: 2, port: 8080, resources: { cpus: 0.5, memory: '256Mi' }, haproxy: { port: HAPROXY_PORT, statsPort: 18405 } },
  }));
  const { ms } = await waitFor('Ready with both API pods UP', 200_000, () => allUp(2), 1000);
  const [haproxy] = await runningPodsOf(NAME, 'haproxy');
  const response = await fetch(`http://${haproxy!.ip}:${HAPROXY_PORT}/`, { signal: AbortSignal.timeout(3000) });
  assert.equal(response.status, 200);
  console.log(`converged by the operator pod: both API pods UP ${ms} ms after apply`);
});

test('3. the leader\'s pod deleted: the standby takes the Lease, becomes ready and converges a change', { timeout: 240_000 }, async (t) => {
  if (!hasNode) { t.skip(NO_NODE); return; }
  const pods = await operatorPods();
  const leader = pods.find((p) => p.ready)!;
  const standby = pods.find((p) => p !== leader)!;
  await kubectl([...OPERATOR, 'delete', 'pod', leader.name, '--wait=false']);
  const took = await waitFor(`${standby.name} leading and ready`, 60_000, async () => {
    const now = (await operatorPods()).find((p) => p.name === standby.name);
    return (await leaseHolder()).startsWith(`${standby.name}_`) && now !== undefined && now.ready;
  }, 500);
  console.log(`${standby.name} leads and is ready ${took.ms} ms after ${leader.name} was deleted`);
  await kubectl([...OPERATOR, 'patch', 'balancedservice', NAME, '--type', 'merge', '-p', JSON.stringify({ spec: { replicas: 3 } })]);
  const { ms } = await waitFor('three API pods UP', 150_000, () => allUp(3), 1000);
  console.log(`the new leader converged replicas: 3 in ${ms} ms`);
});

test('4. delete: nothing of the BalancedService is left', { timeout: 180_000 }, async (t) => {
  if (!hasNode) { t.skip(NO_NODE); return; }
  await kubectl([...OPERATOR, 'delete', 'balancedservice', NAME]);
  await waitFor('every object of the BalancedService gone', 150_000, async () =>
    (await kubectl([...OPERATOR, 'get', 'deployments,replicasets,pods,services,secrets,networkpolicies,poddisruptionbudgets', '-l', `bso.dev/balancedservice=${NAME}`, '-o', 'name'])).trim() === '', 1000);
});
