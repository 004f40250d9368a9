// The Kubernetes Service beside each Deployment bso creates:
//  - API replicas: a headless Service (clusterIP None) with publishNotReadyAddresses. Its DNS
//    name (kubernetesReplicasDnsName) resolves to one A record per pod with an address, Ready or
//    not, which HAProxy's server-template resolves, like Swarm's tasks.<name> with endpoint_mode
//    dnsrr. Not only Ready pods: an API pod is Ready once HAProxy has health-checked it (its
//    readinessProbe, deployment-rollout.ts), so HAProxy must find it before. (The endpoints DNS,
//    pod-endpoints.ts, follows the same rule and also leaves out pods being deleted.)
//  - HAProxy: a LoadBalancer Service (default; NodePort or ClusterIP by option) exposing the
//    spec's port and statsPort, with externalTrafficPolicy Local to keep client addresses, like
//    Swarm's host-mode publishing.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { DesiredService } from '../core/desired-state.js';
import { apiVersionOf, SERVICES } from './kube-api.js';
import { AGENT_ENV, LABEL_COMPONENT, LABEL_OWNER } from '../../contract/names.js';

export type HAProxyServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';

/** The labels that select a service's pods: owner and component (never the spec hash). */
export function podSelector(service: Pick<DesiredService, 'labels' | 'component'>): Record<string, string> {
  return { [LABEL_OWNER]: service.labels[LABEL_OWNER] ?? '', [LABEL_COMPONENT]: service.component };
}

/** The API replicas' HTTP and agent ports, from the environment bso gives them. */
export function apiPorts(service: Pick<DesiredService, 'env'>): Array<{ name: string; port: number }> {
  return [['http', AGENT_ENV.port], ['agent', AGENT_ENV.agentPort]]
    .map(([name, key]) => ({ name: name!, port: Number(service.env[key!]) }))
    .filter((p) => Number.isInteger(p.port) && p.port > 0);
}

export function toService(service: DesiredService, options: { namespace: string; haproxyServiceType: HAProxyServiceType }): V1Service {
  const metadata = { name: service.name, namespace: options.namespace, labels: { ...service.labels } };
  const selector = podSelector(service);
  if (service.component === 'api') {
    return {
      apiVersion: apiVersionOf(SERVICES), kind: SERVICES.kind, metadata,
      spec: {
        clusterIP: 'None', publishNotReadyAddresses: true, selector,
        ports: apiPorts(service).map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' })),
      },
    };
  }
  const type = options.haproxyServiceType;
  return {
    apiVersion: apiVersionOf(SERVICES), kind: SERVICES.kind, metadata,
    spec: {
      type,
      selector,
      ports: service.ports.map((p) => ({ name: `port-${p.published}`, port: p.published, targetPort: p.target, protocol: 'TCP' })),
      ...(type === 'ClusterIP' ? {} : { externalTrafficPolicy: 'Local' }),
    },
  };
}

/** True when observed has every field bso sets as wanted has it (API server defaults ignored). */
export function serviceMatches(wanted: V1Service, observed: V1Service): boolean {
  return JSON.stringify(shapeOf(wanted)) === JSON.stringify(shapeOf(observed));
}

function shapeOf(service: V1Service) {
  const spec = service.spec ?? {};
  const sorted = (record: Record<string, string> | undefined) => Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return {
    labels: sorted(service.metadata?.labels),
    type: spec.type ?? 'ClusterIP',
    headless: spec.clusterIP === 'None',
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    selector: sorted(spec.selector),
    externalTrafficPolicy: spec.type === 'LoadBalancer' || spec.type === 'NodePort' ? (spec.externalTrafficPolicy ?? 'Cluster') : undefined,
    ports: (spec.ports ?? []).map((p: V1ServicePort) => [p.name ?? '', p.port, Number(p.targetPort ?? p.port), p.protocol ?? 'TCP']).sort((a, b) => Number(a[1]) - Number(b[1])),
  };
}

/**
 * wanted, carrying over what the API server allocated and will not let a replace change:
 * the cluster IPs and the node ports.
 */
export function serviceReplacing(wanted: V1Service, existing: V1Service): V1Service {
  const spec = { ...wanted.spec };
  if (existing.spec?.clusterIP && existing.spec.clusterIP !== 'None') {
    spec.clusterIP = existing.spec.clusterIP;
    if (existing.spec.clusterIPs) spec.clusterIPs = existing.spec.clusterIPs;
  }
  if (spec.type !== 'ClusterIP') {
    spec.ports = (spec.ports ?? []).map((p) => {
      const nodePort = existing.spec?.ports?.find((e) => e.port === p.port && (e.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      return nodePort ? { ...p, nodePort } : p;
    });
  }
  return { ...wanted, metadata: { ...wanted.metadata, resourceVersion: existing.metadata?.resourceVersion }, spec };
}

/** A headless Service cannot become a normal one in place, nor the reverse: delete and create. */
export function needsRecreate(wanted: V1Service, existing: V1Service): boolean {
  return (wanted.spec?.clusterIP === 'None') !== (existing.spec?.clusterIP === 'None');
}
