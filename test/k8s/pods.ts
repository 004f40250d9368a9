// What the tests that need pods (npm run k8s:up -- --pods) share: the node, the pods of bso's
// namespace as the tests look at them, and a BalancedService's status, all read with kubectl as
// admin.
import { BSO_NAMESPACE, kubectl } from './real-control-plane.js';
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
