// Every object the operator would create for a BalancedService on Kubernetes, as manifests: the
// NetworkPolicy, the stats Secret (fresh random credentials, as the operator generates them when
// it creates the Secret), and for the API replicas and HAProxy a Deployment and a Service each,
// and a PodDisruptionBudget each when they have several replicas. Pure but for the random
// credentials; `bso render k8s` prints them.
//
// Rendering asks no API server, so it cannot discover the PodDisruptionBudget version as the
// operator does: it writes policy/v1 (Kubernetes 1.21 and later; 1.25 removed v1beta1) unless
// told v1beta1, which Kubernetes 1.20 needs (`bso render k8s --pdb-version v1beta1`).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { BalancedService } from '../../crd/types.generated.js';
import { desiredStateFor } from '../core/desired-state.js';
import { toDeployment } from './deployment-spec.js';
import { toPodDisruptionBudget } from './disruption-budget.js';
import { POD_DISRUPTION_BUDGETS_V1, POD_DISRUPTION_BUDGETS_V1BETA1 } from './kube-api.js';
import { generatedCredentials, toNetworkPolicy, toSecret, TOKEN_SECRET } from './owned-objects.js';
import { toService, type HAProxyServiceType } from './service-objects.js';

export interface RenderKubernetesOptions {
  namespace: string;
  haproxyServiceType: HAProxyServiceType;
  /** How the HAProxy supervisors reach the operator (deploy/k8s: its Service). */
  operatorUrl: string;
  /** The PodDisruptionBudgets' policy API version (default v1, see the header). */
  policyVersion?: 'v1' | 'v1beta1';
}

export function kubernetesManifests(object: BalancedService, options: RenderKubernetesOptions): KubernetesObject[] {
  const desired = desiredStateFor(object, { operatorUrl: options.operatorUrl, tokenConfig: TOKEN_SECRET });
  const translate = { namespace: options.namespace, haproxyServiceType: options.haproxyServiceType };
  const budgets = options.policyVersion === 'v1beta1' ? POD_DISRUPTION_BUDGETS_V1BETA1 : POD_DISRUPTION_BUDGETS_V1;
  return [
    toNetworkPolicy(desired.network.name, desired.network.labels, options.namespace),
    ...desired.secrets.map((s) => toSecret(s.name, s.labels, options.namespace, generatedCredentials())),
    ...desired.services.flatMap((service) => {
      const budget = toPodDisruptionBudget(service, options.namespace, budgets);
      return [toDeployment(service, translate), toService(service, translate), ...(budget ? [budget] : [])];
    }),
  ];
}
