// A KubeApi that sends each request as the identity that makes it in real use: writes of
// BalancedServices as the user running `bso apply` (editor), everything else as the operator's
// ServiceAccount. A request neither is granted fails with the API server's 403.
import type { KubernetesObject } from '@kubernetes/client-node';
import { BALANCED_SERVICES, type KubeApi, type Preconditions, type ResourceType, type WatchHandlers } from '../../operator/kubernetes/kube-api.js';

export function twoIdentities(operator: KubeApi, editor: KubeApi): KubeApi {
  const writer = (type: ResourceType, subresource?: string) => (type === BALANCED_SERVICES && !subresource ? editor : operator);
  return {
    namespace: operator.namespace,
    get: <T extends KubernetesObject>(type: ResourceType, name: string) => operator.get<T>(type, name),
    list: <T extends KubernetesObject>(type: ResourceType, labelSelector?: string) => operator.list<T>(type, labelSelector),
    create: <T extends KubernetesObject>(type: ResourceType, object: T) => writer(type).create(type, object),
    replace: <T extends KubernetesObject>(type: ResourceType, object: T, subresource?: 'status') => writer(type, subresource).replace(type, object, subresource),
    apply: <T extends KubernetesObject>(type: ResourceType, object: T, options: { fieldManager: string; force: boolean }) => writer(type).apply(type, object, options),
    remove: (type: ResourceType, name: string, preconditions?: Preconditions) => writer(type).remove(type, name, preconditions),
    serves: (group: string, version: string) => operator.serves(group, version),
    watch: <T extends KubernetesObject>(type: ResourceType, options: { labelSelector?: string; resourceVersion: string; timeoutSeconds?: number }, handlers: WatchHandlers<T>) => operator.watch(type, options, handlers),
    close() { operator.close(); editor.close(); },
  };
}
