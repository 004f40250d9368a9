// The backend's PodDisruptionBudgets (disruption-budget.ts says which): the API version the API
// server serves, found once by discovery, and the writes that converge the budget beside one
// Deployment. policy/v1 when served (Kubernetes 1.21 and later; 1.25 removed v1beta1), else
// policy/v1beta1 (1.20). Discovery is readable by every authenticated client: no RBAC rule.
import type { KubernetesObject, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { BsoError } from '../../lib/errors.js';
import type { DesiredService } from '../core/desired-state.js';
import { LABEL_OWNER } from '../../contract/names.js';
import { POD_DISRUPTION_BUDGETS_V1, POD_DISRUPTION_BUDGETS_V1BETA1, type KubeApi, type ResourceType } from './kube-api.js';
import { budgetMatches, toPodDisruptionBudget } from './disruption-budget.js';

export class DisruptionBudgetWriter {
  private type: Promise<ResourceType> | undefined;

  /** @param owned adds the ownerReference to the BalancedService (kubernetes-backend.ts). */
  constructor(private readonly api: KubeApi, private readonly owned: <T extends KubernetesObject>(object: T) => Promise<T>) {}

  /** The PodDisruptionBudgets' resource type on this API server; asked once, again after a failure. */
  resource(): Promise<ResourceType> {
    if (!this.type) {
      const asked = this.api.serves(POD_DISRUPTION_BUDGETS_V1.group, POD_DISRUPTION_BUDGETS_V1.version)
        .then((v1) => (v1 ? POD_DISRUPTION_BUDGETS_V1 : POD_DISRUPTION_BUDGETS_V1BETA1));
      this.type = asked;
      asked.catch(() => { if (this.type === asked) this.type = undefined; });
    }
    return this.type;
  }

  /**
   * Creates, corrects or deletes the budget beside the service's Deployment; writes nothing when
   * it matches. A foreign one with the name is never written (BSO_FOREIGN_OBJECT when one is wanted).
   */
  async ensure(service: DesiredService): Promise<void> {
    const type = await this.resource();
    const wanted = toPodDisruptionBudget(service, this.api.namespace, type);
    const existing = await this.api.get<V1PodDisruptionBudget>(type, service.name);
    const owner = service.labels[LABEL_OWNER];
    if (existing && existing.metadata?.labels?.[LABEL_OWNER] !== owner) {
      if (!wanted) return;
      throw new BsoError('BSO_FOREIGN_OBJECT', `a PodDisruptionBudget named ${service.name} exists and is not owned by BalancedService ${owner}; remove or rename it`);
    }
    if (!wanted) {
      if (existing) await this.api.remove(type, service.name, { uid: existing.metadata?.uid });
      return;
    }
    const body = await this.owned(wanted);
    if (!existing) await this.api.create(type, body);
    else if (!budgetMatches(wanted, existing)) await this.api.replace(type, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  }
}
