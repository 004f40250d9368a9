// Every object the operator would create for a BalancedService on Kubernetes, as manifests: the
// NetworkPolicy, the stats Secret (fresh random credentials, as the operator generates them when
// it creates the Secret), and for the API replicas and HAProxy a Deployment and a Service each.
// Pure but for the random credentials; `bso render k8s` prints them.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { BalancedService } from '../../crd/types.generated.js';
import { desiredStateFor } from '../core/desired-state.js';
import { toDeployment } from './deployment-spec.js';
import { generatedCredentials, toNetworkPolicy, toSecret, TOKEN_SECRET } from './owned-objects.js';
import { toService, type HAProxyServiceType } from './service-objects.js';

export interface RenderKubernetesOptions {
  namespace: string;
  haproxyServiceType: HAProxyServiceType;
  /** How the HAProxy supervisors reach the operator (deploy/k8s: its Service). */
  operatorUrl: string;
}

export function kubernetesManifests(object: BalancedService, options: RenderKubernetesOptions): KubernetesObject[] {
  const desired = desiredStateFor(object, { operatorUrl: options.operatorUrl, tokenConfig: TOKEN_SECRET });
  const translate = { namespace: options.namespace, haproxyServiceType: options.haproxyServiceType };
  return [
    toNetworkPolicy(desired.network.name, desired.network.labels, options.namespace),
    ...desired.secrets.map((s) => toSecret(s.name, s.labels, options.namespace, generatedCredentials())),
    ...desired.services.flatMap((service) => [toDeployment(service, translate), toService(service, translate)]),
  ];
}
