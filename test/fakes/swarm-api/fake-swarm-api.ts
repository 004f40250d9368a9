// A FAKE Docker Engine API (the Swarm fake; the Kubernetes one is ../kube-apiserver/) on loopback,
// for real dockerode and real Prometheus to talk to. It answers the four lists Prometheus's Docker
// Swarm service discovery reads (tasks, services, nodes, networks) and the configs list (with its
// label filter) that the operator's spec store reads. Its world is shaped like a real Swarm running bso:
// the operator (host-mode port 9464 on bso-control), BalancedService "hello" (2 running API
// replicas and 1 shut down, its HAProxy publishing 80 and 8404 on ingress), BalancedService
// "web" whose services carry bso.dev/metrics-port, and services bso does not own.
import { createServer, type Server } from 'node:http';

const NODE = 'node1';
const NETWORKS = [
  { Id: 'net-ingress', Name: 'ingress', Scope: 'swarm', Internal: false, Ingress: true, Labels: {} },
  { Id: 'net-control', Name: 'bso-control', Scope: 'swarm', Internal: false, Ingress: false, Labels: { 'app.kubernetes.io/managed-by': 'bso' } },
  { Id: 'net-hello', Name: 'hello-net', Scope: 'swarm', Internal: false, Ingress: false, Labels: { 'bso.dev/balancedservice': 'hello' } },
  { Id: 'net-web', Name: 'web-net', Scope: 'swarm', Internal: false, Ingress: false, Labels: { 'bso.dev/balancedservice': 'web' } },
  { Id: 'net-other', Name: 'other-net', Scope: 'swarm', Internal: false, Ingress: false, Labels: {} },
];

const owned = (name: string, component: string, extra: Record<string, string> = {}) => ({
  'app.kubernetes.io/managed-by': 'bso', 'bso.dev/balancedservice': name, 'bso.dev/component': component, 'bso.dev/spec-hash': 'abc123', ...extra,
});
const port = (n: number, mode: 'ingress' | 'host' = 'ingress') => ({ Protocol: 'tcp', TargetPort: n, PublishedPort: n, PublishMode: mode });

interface ServiceFixture { id: string; name: string; labels: Record<string, string>; ports: Array<ReturnType<typeof port>> }
const SERVICES: ServiceFixture[] = [
  { id: 'svc-operator', name: 'bso_operator', labels: { 'app.kubernetes.io/managed-by': 'bso', 'bso.dev/component': 'operator' }, ports: [port(9464, 'host')] },
  { id: 'svc-hello-api', name: 'hello-api', labels: owned('hello', 'api'), ports: [] },
  { id: 'svc-hello-haproxy', name: 'hello-haproxy', labels: owned('hello', 'haproxy'), ports: [port(80), port(8404)] },
  { id: 'svc-web-api', name: 'web-api', labels: owned('web', 'api', { 'bso.dev/metrics-port': '9000' }), ports: [] },
  { id: 'svc-web-haproxy', name: 'web-haproxy', labels: owned('web', 'haproxy', { 'bso.dev/metrics-port': '9404' }), ports: [port(8081), port(9404)] },
  // Look-alikes: a component label without managed-by, and an unrelated service.
  { id: 'svc-fake-api', name: 'fake-api', labels: { 'bso.dev/component': 'api', 'bso.dev/balancedservice': 'other' }, ports: [] },
  { id: 'svc-db', name: 'db', labels: {}, ports: [port(5432)] },
];

interface TaskFixture { id: string; service: string; slot: number; desired: string; state: string; networks: Array<[string, string]>; hostPorts?: Array<ReturnType<typeof port>> }
const TASKS: TaskFixture[] = [
  { id: 'task-op', service: 'svc-operator', slot: 1, desired: 'running', state: 'running', networks: [['net-control', '10.0.9.2/24']], hostPorts: [port(9464, 'host')] },
  { id: 'task-hello-1', service: 'svc-hello-api', slot: 1, desired: 'running', state: 'running', networks: [['net-hello', '10.0.1.5/24']] },
  { id: 'task-hello-2', service: 'svc-hello-api', slot: 2, desired: 'running', state: 'running', networks: [['net-hello', '10.0.1.6/24']] },
  { id: 'task-hello-old', service: 'svc-hello-api', slot: 2, desired: 'shutdown', state: 'failed', networks: [['net-hello', '10.0.1.4/24']] },
  { id: 'task-hello-haproxy', service: 'svc-hello-haproxy', slot: 1, desired: 'running', state: 'running', networks: [['net-ingress', '10.0.0.7/24'], ['net-hello', '10.0.1.9/24'], ['net-control', '10.0.9.3/24']] },
  { id: 'task-web-1', service: 'svc-web-api', slot: 1, desired: 'running', state: 'running', networks: [['net-web', '10.0.2.5/24']] },
  { id: 'task-web-haproxy', service: 'svc-web-haproxy', slot: 1, desired: 'running', state: 'running', networks: [['net-ingress', '10.0.0.8/24'], ['net-web', '10.0.2.9/24'], ['net-control', '10.0.9.4/24']] },
  { id: 'task-fake', service: 'svc-fake-api', slot: 1, desired: 'running', state: 'running', networks: [['net-other', '10.0.3.5/24']] },
  { id: 'task-db', service: 'svc-db', slot: 1, desired: 'running', state: 'running', networks: [['net-ingress', '10.0.0.9/24'], ['net-other', '10.0.3.6/24']] },
];

function servicesJson() {
  return SERVICES.map((s) => ({
    ID: s.id,
    Version: { Index: 10 },
    Spec: {
      Name: s.name,
      Labels: s.labels,
      Mode: { Replicated: { Replicas: 1 } },
      TaskTemplate: { ContainerSpec: { Image: 'bso-hello-api:latest', Labels: s.labels } },
      EndpointSpec: { Mode: s.ports.length === 0 ? 'dnsrr' : 'vip', Ports: s.ports },
    },
    Endpoint: { Spec: {}, Ports: s.ports, VirtualIPs: [] },
  }));
}

function tasksJson() {
  return TASKS.map((t) => {
    const service = SERVICES.find((s) => s.id === t.service)!;
    return {
      ID: t.id,
      ServiceID: t.service,
      NodeID: NODE,
      Slot: t.slot,
      DesiredState: t.desired,
      Spec: { ContainerSpec: { Image: 'bso-hello-api:latest', Labels: service.labels } },
      Status: { State: t.state, ContainerStatus: { ContainerID: `c-${t.id}` }, PortStatus: { Ports: t.hostPorts ?? [] } },
      NetworksAttachments: t.networks.map(([id, address]) => ({ Network: { ID: id, Spec: { Name: NETWORKS.find((n) => n.Id === id)!.Name } }, Addresses: [address] })),
    };
  });
}

const NODES = [{
  ID: NODE,
  Spec: { Role: 'manager', Availability: 'active', Labels: {} },
  Description: { Hostname: 'swarm-1', Platform: { Architecture: 'x86_64', OS: 'linux' }, Engine: { EngineVersion: '20.10.24' } },
  Status: { State: 'ready', Addr: '192.168.1.10' },
  ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '192.168.1.10:2377' },
}];

export interface FakeSwarmApi { url: string; requests: string[]; close(): Promise<void> }

/** A config as the Engine lists it: Spec is what createConfig was given (Name, Labels, Data base64). */
export interface ConfigFixture { Name: string; Labels?: Record<string, string>; Data: string }

export interface FakeSwarmWorld {
  /** The configs GET /configs lists (none by default). */
  configs?: ConfigFixture[];
}

/** Keeps the configs whose labels match every `key=value` (or `key`) of a Docker label filter. */
function matchesLabelFilter(labels: Record<string, string>, filter: string[]): boolean {
  return filter.every((term) => {
    const eq = term.indexOf('=');
    return eq < 0 ? term in labels : labels[term.slice(0, eq)] === term.slice(eq + 1);
  });
}

function configsJson(configs: ConfigFixture[], query: URLSearchParams) {
  const filters = JSON.parse(query.get('filters') ?? '{}') as { label?: string[] | Record<string, boolean> };
  const label = Array.isArray(filters.label) ? filters.label : Object.keys(filters.label ?? {});
  return configs
    .filter((c) => matchesLabelFilter(c.Labels ?? {}, label))
    .map((c, i) => ({ ID: `config-${i}`, Version: { Index: 20 + i }, CreatedAt: '2026-12-01T00:00:00Z', Spec: c }));
}

export async function startFakeSwarmApi(world: FakeSwarmWorld = {}): Promise<FakeSwarmApi> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/v[0-9.]+/, '');
    requests.push(`${req.method} ${req.url}`);
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json', 'api-version': '1.41', 'ostype': 'linux' });
      res.end(JSON.stringify(body));
    };
    switch (path) {
      case '/_ping': res.writeHead(200, { 'api-version': '1.41', 'ostype': 'linux', 'content-type': 'text/plain' }); res.end(req.method === 'HEAD' ? undefined : 'OK'); return;
      case '/tasks': send(tasksJson()); return;
      case '/services': send(servicesJson()); return;
      case '/nodes': send(NODES); return;
      case '/networks': send(NETWORKS); return;
      case '/configs': send(configsJson(world.configs ?? [], url.searchParams)); return;
      default: res.writeHead(404, { 'content-type': 'application/json' }); res.end(JSON.stringify({ message: `not faked: ${path}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${listening}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
