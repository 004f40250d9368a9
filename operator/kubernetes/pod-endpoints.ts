// Pods -> the endpoints DNS's table: for each BalancedService, the name of its API replicas'
// headless Service and the IPv4 addresses of its API pods that HAProxy must see: a pod with an
// address, Running and not being deleted, Ready or not (as the headless Service publishes them,
// with publishNotReadyAddresses: service-objects.ts). Not only Ready ones: an API pod becomes
// Ready once HAProxy has health-checked it (its readinessProbe asks /readyz, contract/readiness.ts),
// so HAProxy must find it before; HAProxy's own health checks and the agent decide what gets
// traffic. A BalancedService without such a pod has no name: NXDOMAIN, as cluster DNS answers
// for a headless Service without endpoints. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { isIpv4Address } from '../../lib/ipv4-address.js';
import { kubernetesReplicasDnsName, LABEL_COMPONENT, LABEL_OWNER } from '../../contract/names.js';

/** The pods the table is made of: every BalancedService's API replicas (deployment-spec.ts labels them). */
export const API_PODS_SELECTOR = `${LABEL_OWNER},${LABEL_COMPONENT}=api`;

export type EndpointsTable = ReadonlyMap<string, readonly string[]>;

export function endpointsTableOf(pods: Iterable<V1Pod>, namespace: string, clusterDomain?: string): EndpointsTable {
  const byName = new Map<string, Set<string>>();
  for (const pod of pods) {
    const owner = pod.metadata?.labels?.[LABEL_OWNER];
    if (!owner || pod.metadata?.labels?.[LABEL_COMPONENT] !== 'api' || !isServing(pod)) continue;
    const addresses = ipv4AddressesOf(pod);
    if (addresses.length === 0) continue;
    const name = kubernetesReplicasDnsName(owner, namespace, clusterDomain).toLowerCase();
    const set = byName.get(name) ?? new Set<string>();
    for (const address of addresses) set.add(address);
    byName.set(name, set);
  }
  return new Map([...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, set]) => [name, [...set].sort(byNumber)]));
}

/** Running (its containers started) and not being deleted; the Ready condition does not matter (see the header). */
function isServing(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
}

/** status.podIPs (dual-stack), else status.podIP; IPv4 only (HAProxy resolves with resolve-prefer ipv4, the server answers A). */
function ipv4AddressesOf(pod: V1Pod): string[] {
  const all = pod.status?.podIPs?.map((p) => p.ip) ?? [];
  if (pod.status?.podIP) all.push(pod.status.podIP);
  return [...new Set(all)].filter(isIpv4Address);
}

function byNumber(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
