// The Kubernetes backend against a REAL control plane (kube-apiserver and kube-controller-manager
// 1.20.2 from npm run k8s:up), through the shared backend conformance suite: bso installed from
// deploy/k8s, every request made as the identity that makes it in real use (the operator's
// ServiceAccount with deploy/k8s's Role, or a user with the `edit` ClusterRole for BalancedService
// writes), so a request the shipped RBAC does not grant fails here with the server's 403.
import { freePort } from '../../test/support/free-port.js';
import { runBackendConformance } from '../../test/conformance/backend-conformance.js';
import { apiFor, BSO_NAMESPACE, editorTarget, installBso, operatorTarget } from '../../test/k8s/real-control-plane.js';
import { twoIdentities } from '../../test/k8s/two-identities.js';
import { ClientNodeKubeApi } from './client-node-kube-api.js';
import { kubeTargetFor } from './kube-config.js';
import { BALANCED_SERVICES } from './kube-api.js';
import { KubernetesBackend } from './kubernetes-backend.js';


runBackendConformance('kubernetes (REAL kube-apiserver + kube-controller-manager 1.20.2)', async () => {
  await installBso();
  const editor = apiFor(editorTarget());
  const api = twoIdentities(apiFor(await operatorTarget()), editor);
  const down = await freePort();
  return {
    backend: new KubernetesBackend(api, { watchTimeoutSeconds: 5 }),
    async cleanup() { api.close(); },
    schemaChecked: true,
    garbageCollected: true,
    unreachable: () => new KubernetesBackend(new ClientNodeKubeApi(kubeTargetFor({ server: `https://127.0.0.1:${down}`, namespace: BSO_NAMESPACE }), { timeoutMs: 2000 })),
    async storeRaw(name, raw) {
      // As `kubectl apply` would, as the editor: the CRD's schema and defaults apply, bso's loader does not.
      await editor.create(BALANCED_SERVICES, { ...raw, metadata: { ...(raw['metadata'] as object), name, namespace: BSO_NAMESPACE } } as never);
    },
  };
});
