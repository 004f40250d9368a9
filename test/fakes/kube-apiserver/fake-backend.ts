// A KubernetesBackend connected to a fresh FAKE Kubernetes API server, for tests.
import { ClientNodeKubeApi } from '../../../operator/kubernetes/client-node-kube-api.js';
import { kubeTargetFor } from '../../../operator/kubernetes/kube-config.js';
import { KubernetesBackend, type KubernetesBackendOptions } from '../../../operator/kubernetes/kubernetes-backend.js';
import { FakeKubeApiServer, type FakeKubeApiServerOptions } from './fake-kube-apiserver.js';

export const FAKE_NAMESPACE = 'bso-test';
const TOKEN = 'fake-token';

export interface FakeBackend {
  fake: FakeKubeApiServer;
  api: ClientNodeKubeApi;
  backend: KubernetesBackend;
  close(): Promise<void>;
}

export async function startFakeBackend(options: KubernetesBackendOptions = {}, fakeOptions: Omit<FakeKubeApiServerOptions, 'token'> = {}): Promise<FakeBackend> {
  const fake = await FakeKubeApiServer.start({ ...fakeOptions, token: TOKEN });
  const api = new ClientNodeKubeApi(kubeTargetFor({ server: fake.url, namespace: FAKE_NAMESPACE, token: TOKEN }));
  return {
    fake, api,
    backend: new KubernetesBackend(api, options),
    async close() {
      api.close();
      await fake.close();
    },
  };
}
