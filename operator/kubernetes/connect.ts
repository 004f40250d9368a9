// How the CLI and the operator reach Kubernetes: kubeconfig or in-cluster ServiceAccount, one
// namespace. Environment: BSO_NAMESPACE (namespace; default the context's or the pod's),
// BSO_HAPROXY_SERVICE_TYPE (LoadBalancer | NodePort | ClusterIP; default LoadBalancer).
import { BsoError } from '../../lib/errors.js';
import { ClientNodeKubeApi } from './client-node-kube-api.js';
import { loadKubeTarget, type KubeConfigOptions } from './kube-config.js';
import { KubernetesBackend, type KubernetesBackendOptions } from './kubernetes-backend.js';
import type { HAProxyServiceType } from './service-objects.js';

const SERVICE_TYPES: readonly HAProxyServiceType[] = ['LoadBalancer', 'NodePort', 'ClusterIP'];

export function connectKubernetes(options: KubeConfigOptions & KubernetesBackendOptions = {}): KubernetesBackend {
  const env = options.env ?? process.env;
  const type = options.haproxyServiceType ?? env.BSO_HAPROXY_SERVICE_TYPE ?? 'LoadBalancer';
  if (!SERVICE_TYPES.includes(type as HAProxyServiceType)) {
    throw new BsoError('BSO_USAGE', `BSO_HAPROXY_SERVICE_TYPE=${type}: must be one of ${SERVICE_TYPES.join(', ')}`);
  }
  const target = loadKubeTarget({ ...options, namespace: options.namespace ?? (env.BSO_NAMESPACE || undefined) });
  return new KubernetesBackend(new ClientNodeKubeApi(target), { ...options, haproxyServiceType: type as HAProxyServiceType });
}
