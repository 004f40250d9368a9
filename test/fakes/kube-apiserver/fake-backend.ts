// A KubernetesBackend connected to a fresh FAKE Kubernetes API server, for tests.
import { HttpKubeApi } from '../../../operator/kubernetes/http-kube-api.js';
import { KubernetesBackend, type KubernetesBackendOptions } from '../../../operator/kubernetes/kubernetes-backend.js';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';

export const FAKE_NAMESPACE = 'bso-test';
const TOKEN = 'fake-token';

export interface FakeBackend {
  fake: FakeKubeApiServer;
  api: HttpKubeApi;
  backend: KubernetesBackend;
  close(): Promise<void>;
}

export async function startFakeBackend(options: KubernetesBackendOptions = {}): Promise<FakeBackend> {
  const fake = await FakeKubeApiServer.start({ token: TOKEN });
  const api = new HttpKubeApi({ server: fake.url, namespace: FAKE_NAMESPACE, token: () => TOKEN });
  return {
    fake, api,
    backend: new KubernetesBackend(api, options),
    async close() {
      api.close();
      await fake.close();
    },
  };
}
