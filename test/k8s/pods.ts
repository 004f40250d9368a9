// What the tests that need pods (npm run k8s:up -- --pods) share: the node, the pods of bso's
// namespace as the tests look at them, and a BalancedService's status, all read with kubectl as
// admin.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { BSO_NAMESPACE, kubectl, operatorKubeconfig, ROOT } from './real-control-plane.js';
import { freePort } from '../support/free-port.js';
import type { BalancedServiceStatus } from '../../crd/types.generated.js';

/**
 * The node's address (its InternalIP), or undefined when no node runs pods. When the test runner
 * started the node (BSO_TEST_K8S_PODS=1), a missing node is an error, not a reason to skip.
 */
export async function nodeAddress(): Promise<string | undefined> {
  const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: Array<{ status: { addresses: Array<{ type: string; address: string }> } }> };
  if (nodes.items.length === 0) {
    if (process.env.BSO_TEST_K8S_PODS === '1') throw new Error('no node runs pods: npm run k8s:up -- --pods should have started one');
    return undefined;
  }
  return nodes.items[0]!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
}

export const NO_NODE = 'no node runs pods (start one with npm run k8s:up -- --pods)';

export interface PodView { name: string; ip?: string; phase?: string; ready: boolean }

/** The pods of bso's namespace that match the label selector and are not being deleted. */
export async function podsOf(selector: string): Promise<PodView[]> {
  const list = JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'pods', '-l', selector, '-o', 'json'])) as {
    items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; phase?: string; conditions?: Array<{ type: string; status: string }> } }>;
  };
  return list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => ({
    name: p.metadata.name, ip: p.status.podIP, phase: p.status.phase,
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  }));
}

/** The pods of one component of a BalancedService that run and have an address. */
export async function runningPodsOf(name: string, component: 'api' | 'haproxy'): Promise<Array<PodView & { ip: string }>> {
  return (await podsOf(`bso.dev/balancedservice=${name},bso.dev/component=${component}`))
    .filter((p): p is PodView & { ip: string } => p.phase === 'Running' && p.ip !== undefined);
}

/** The status on the BalancedService resource. */
export async function balancedServiceStatus(name: string): Promise<BalancedServiceStatus | undefined> {
  return (JSON.parse(await kubectl(['-n', BSO_NAMESPACE, 'get', 'balancedservice', name, '-o', 'json'])) as { status?: BalancedServiceStatus }).status;
}

/** The server in a status whose address is the pod's. */
export const serverAt = (status: BalancedServiceStatus | undefined, ip: string) => status?.servers?.find((server) => server.address?.split(':')[0] === ip);

/**
 * The operator as the pod tests run it: on this machine, as its ServiceAccount, where the pods
 * reach it (config API, endpoints DNS) at the node's address; its output in DIR/operator.log.
 */
export async function startNodeOperator(nodeIp: string, dir: string): Promise<ChildProcess> {
  const [port, dnsPort] = [await freePort(), await freePort()];
  const log = createWriteStream(join(dir, 'operator.log'));
  const operator = spawn(process.execPath, ['bin/bso.js', 'operator', '--backend', 'kubernetes', '--kubeconfig', await operatorKubeconfig(dir),
    '--namespace', BSO_NAMESPACE, '--no-leader-elect', '--listen', `0.0.0.0:${port}`, '--advertise-url', `http://${nodeIp}:${port}`,
    '--endpoints-dns', `${nodeIp}:${dnsPort}`, '--resync', '5s', '--log-format', 'text'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  operator.stdout!.pipe(log);
  operator.stderr!.pipe(log);
  console.log(`operator log: ${join(dir, 'operator.log')}`);
  return operator;
}

/** Deletes the BalancedService (without waiting) and stops the operator. */
export async function stopNodeOperator(operator: ChildProcess | undefined, name: string): Promise<void> {
  await kubectl(['-n', BSO_NAMESPACE, 'delete', 'balancedservice', name, '--ignore-not-found', '--wait=false']).catch(() => {});
  if (operator && operator.exitCode === null) {
    const exited = new Promise((resolve) => operator.once('exit', resolve));
    operator.kill('SIGTERM');
    await exited;
  }
}
