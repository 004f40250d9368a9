// The Swarm backend on the real local dockerd and Swarm, through the shared backend
// conformance suite (the Kubernetes backend runs the same one). Names are conf-<random>-*;
// every test removes what it made. Tasks need not run: the image is bso-hello-api:latest when
// it exists, else any local image. The control-plane objects (network bso-control, config
// bso-operator-token) are shared with a running operator: removed afterwards only when this
// file created them and nothing uses them.
// Do not run it while a bso operator drives the same Swarm: specs are cluster-wide, so that
// operator reconciles the suite's conf-* specs too (it rewrites their HAProxy service with its
// own operator URL, reverts the suite's deliberate drift) and the world tests fail.
import { after, before } from 'node:test';
import { runBackendConformance } from '../../test/conformance/backend-conformance.js';
import { connectDocker, dockerStatus } from './docker-client.js';
import { CONTROL_NETWORK, SwarmBackend, TOKEN_CONFIG } from './swarm-backend.js';
import { specConfigBody } from './spec-store.js';

const docker = connectDocker();
let images: { api: string; haproxy: string };
let hadControlNetwork = true;
let hadTokenConfig = true;

async function localImage(preferred: string, fallback: string): Promise<string> {
  const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  if (tags.includes(preferred)) return preferred;
  return tags.includes(fallback) ? fallback : (tags.sort()[0] ?? preferred);
}

before(async () => {
  const api = await localImage('bso-hello-api:latest', 'bso-base:bookworm');
  images = { api, haproxy: await localImage('bso-haproxy:latest', api) };
  hadControlNetwork = (await docker.listNetworks({ filters: { name: [CONTROL_NETWORK] } })).some((n) => n.Name === CONTROL_NETWORK);
  hadTokenConfig = (await docker.listConfigs({ filters: { name: [TOKEN_CONFIG] } })).some((c) => (c.Spec as { Name?: string })?.Name === TOKEN_CONFIG);
});

after(async () => {
  const quietly = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      // In use by a running operator or HAProxy (409/400), or already gone (404): leave it.
      if (dockerStatus(error) === undefined) throw error;
    }
  };
  if (!hadTokenConfig) await quietly(() => docker.getConfig(TOKEN_CONFIG).remove());
  if (!hadControlNetwork) await quietly(() => docker.getNetwork(CONTROL_NETWORK).remove());
});

runBackendConformance('swarm (real dockerd)', async () => ({
  backend: new SwarmBackend(docker),
  images,
  async cleanup() {},
  unreachable: () => new SwarmBackend(connectDocker('unix:///nonexistent/bso-conformance/docker.sock')),
  async storeRaw(name, raw) {
    // A config as an older bso (or a hand-made `docker config create`) would have left it.
    await docker.createConfig(specConfigBody(name, 1, raw, 'written-by-hand') as never);
  },
}));
