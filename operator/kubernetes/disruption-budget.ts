// The PodDisruptionBudget beside a Deployment of several replicas: voluntary disruptions (a node
// drained with kubectl drain, a cluster autoscaler's eviction) take at most maxUnavailable of its
// pods at a time. HAProxy with spec.haproxy.replicas > 1: 1. The API replicas with spec.replicas
// > 1: max(1, spec.rollout.maxUnavailable), the same bound a rollout keeps to (a budget of 0 would
// block every drain). One replica gets none: a budget for it could only forbid evicting it.
// Named and labelled like its Deployment; it selects the same pods. Pure. The API version
// (policy/v1, or policy/v1beta1 before Kubernetes 1.21) is the backend's choice, by discovery.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { DesiredService } from '../core/desired-state.js';
import { apiVersionOf, type ResourceType } from './kube-api.js';
import { podSelector } from './service-objects.js';

/** How many of the service's pods a disruption may take at once; undefined: no budget. */
export function disruptionAllowance(service: Pick<DesiredService, 'component' | 'replicas' | 'rollout'>): number | undefined {
  if (service.replicas <= 1) return undefined;
  return service.component === 'haproxy' ? 1 : Math.max(1, service.rollout?.maxUnavailable ?? 0);
}

/** The budget the service should have, as `type` (policy/v1 or v1beta1: the same fields); undefined when none. */
export function toPodDisruptionBudget(service: DesiredService, namespace: string, type: ResourceType): V1PodDisruptionBudget | undefined {
  const maxUnavailable = disruptionAllowance(service);
  if (maxUnavailable === undefined) return undefined;
  return {
    apiVersion: apiVersionOf(type), kind: type.kind,
    metadata: { name: service.name, namespace, labels: { ...service.labels } },
    spec: { maxUnavailable, selector: { matchLabels: podSelector(service) } },
  };
}

/** True when observed has what bso sets as wanted has it (both absent counts too; API server defaults ignored). */
export function budgetMatches(wanted: V1PodDisruptionBudget | undefined, observed: V1PodDisruptionBudget | undefined): boolean {
  if (!wanted || !observed) return !wanted && !observed;
  return JSON.stringify(shapeOf(wanted)) === JSON.stringify(shapeOf(observed));
}

function shapeOf(budget: V1PodDisruptionBudget) {
  const sorted = (record: Record<string, string> | undefined) => Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const spec = budget.spec ?? {};
  return {
    labels: sorted(budget.metadata?.labels),
    maxUnavailable: spec.maxUnavailable ?? null,
    minAvailable: spec.minAvailable ?? null,
    selector: sorted(spec.selector?.matchLabels),
    expressions: spec.selector?.matchExpressions?.length ?? 0,
  };
}
