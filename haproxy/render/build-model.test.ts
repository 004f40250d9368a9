import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesReplicasDnsName, swarmReplicasDnsName } from '../../contract/names.js';
import { buildHAProxyModel, maxconnPerInstance, SERVER_WEIGHT } from './build-model.js';
import { UnsafeConfigValueError } from './config-text.js';
import { renderHAProxyConfig } from './render-config.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';

const hello = loadSpec('examples/hello.yaml');

test('swarm: replicas through tasks.<name>-api and Docker\'s resolver', () => {
  const model = buildHAProxyModel(hello, { discovery: { kind: 'swarm' }, slots: 16 });
  assert.equal(model.backend.servers.fqdn, swarmReplicasDnsName('hello'));
  assert.deepEqual(model.resolvers.nameserver, { kind: 'address', address: '127.0.0.11', port: 53 });
  assert.equal(model.backend.servers.slots, 16);
});

test('kubernetes: the headless Service through resolv.conf', () => {
  const model = buildHAProxyModel(hello, { discovery: { kind: 'kubernetes', namespace: 'shop', clusterDomain: 'k.example' }, slots: 32 });
  assert.equal(model.backend.servers.fqdn, kubernetesReplicasDnsName('hello', 'shop', 'k.example'));
  assert.deepEqual(model.resolvers.nameserver, { kind: 'resolv-conf' });
});

test('kubernetes with the operator\'s endpoints DNS: the same name, asked of that nameserver instead of resolv.conf', () => {
  const discovery = { kind: 'kubernetes', namespace: 'shop', nameserver: '10.96.0.53:5353' } as const;
  const model = buildHAProxyModel(hello, { discovery, slots: 32 });
  assert.equal(model.backend.servers.fqdn, kubernetesReplicasDnsName('hello', 'shop'));
  assert.deepEqual(model.resolvers.nameserver, { kind: 'address', address: '10.96.0.53', port: 5353 });
  const text = renderHAProxyConfig(model);
  assert.match(text, /^resolvers bso-dns\n {4}nameserver dns 10\.96\.0\.53:5353\n/m);
  assert.doesNotMatch(text, /parse-resolv-conf/);
  assert.match(text, /^ {4}server-template replica 32 hello-api\.shop\.svc\.cluster\.local:8080 resolvers bso-dns resolve-prefer ipv4 init-addr last,none /m);
  assert.match(renderHAProxyConfig(buildHAProxyModel(hello, { discovery: { kind: 'kubernetes', namespace: 'shop' }, slots: 32 })), /^resolvers bso-dns\n {4}parse-resolv-conf\n/m);
});

test('a Kubernetes nameserver that is not an IPv4 host:port is refused, naming the field', () => {
  for (const nameserver of ['kube-dns.kube-system:53', '10.96.0.53', '10.96.0.53:0', '10.96.0.300:53', '10.96.0.53:53 backup', '[fd00::a]:53']) {
    assert.throws(() => buildHAProxyModel(hello, { discovery: { kind: 'kubernetes', namespace: 'shop', nameserver }, slots: 16 }),
      (error: unknown) => error instanceof UnsafeConfigValueError && error.path === 'context.discovery.nameserver' && error.message.includes(JSON.stringify(nameserver)), nameserver);
  }
});

test('values come from the spec; weight 100 so that the agent\'s NN% is weight NN', () => {
  const s = buildHAProxyModel(hello, { discovery: { kind: 'swarm' }, slots: 16 });
  assert.equal(SERVER_WEIGHT, 100);
  assert.equal(s.backend.servers.weight, 100);
  assert.equal(s.backend.servers.port, 8080);
  assert.equal(s.backend.servers.agentPort, 9999);
  assert.equal(s.backend.servers.agentIntervalMs, 500);
  assert.equal(s.backend.servers.maxconn, 100);
  assert.equal(s.backend.balance, 'random');
  assert.deepEqual([s.backend.healthCheck.intervalMs, s.backend.healthCheck.fastIntervalMs, s.backend.healthCheck.downIntervalMs], [2000, 250, 500]);
  assert.equal(s.defaults.retryAfterSeconds, 1);
  assert.equal(s.frontend.bind.port, 80);
  assert.equal(s.stats.bind.port, 8404);
  assert.equal(s.defaults.timeouts.serverMs, 30_000);
  assert.equal(s.global.hardStopAfterMs, 30_000);
});

test('a test nameserver and bind address can be given; a malformed one is refused', () => {
  const model = buildHAProxyModel(hello, { discovery: { kind: 'swarm', nameserver: '127.0.0.1:5353' }, slots: 16, bindAddress: '127.0.0.1' });
  assert.deepEqual(model.resolvers.nameserver, { kind: 'address', address: '127.0.0.1', port: 5353 });
  assert.match(renderHAProxyConfig(model), /^ {4}bind 127\.0\.0\.1:80$/m);
  assert.throws(() => buildHAProxyModel(hello, { discovery: { kind: 'swarm', nameserver: 'dns 1.2.3.4' }, slots: 16 }), UnsafeConfigValueError);
});

test('the renderer refuses values that would change the config structure, naming the field', () => {
  const base = buildHAProxyModel(hello, { discovery: { kind: 'swarm' }, slots: 16 });
  const attacks: Array<[string, (m: typeof base) => void]> = [
    ['backend.healthCheck.path', (m) => { m.backend.healthCheck.path = '/x\n    stats admin if TRUE'; }],
    ['backend.healthCheck.path', (m) => { m.backend.healthCheck.path = '/x #'; }],
    ['frontend.name', (m) => { m.frontend.name = 'a b'; }],
    ['backend.servers.fqdn', (m) => { m.backend.servers.fqdn = 'tasks.x:1 backup'; }],
    ['backend.servers.maxconn', (m) => { m.backend.servers.maxconn = 1.5; }],
    ['backend.servers.slots', (m) => { m.backend.servers.slots = 0; }],
    ['defaults.timeouts.clientMs', (m) => { m.defaults.timeouts.clientMs = -1; }],
    ['backend.balance', (m) => { (m.backend as { balance: string }).balance = 'source'; }],
    ['stats.userEnv', (m) => { m.stats.userEnv = 'X}"'; }],
    ['global.runtimeSocket', (m) => { m.global.runtimeSocket = 'ipv4@0.0.0.0:9999'; }],
    ['frontend.bind.address', (m) => { m.frontend.bind.address = '0.0.0.0:1 ssl'; }],
  ];
  for (const [path, mutate] of attacks) {
    const model = structuredClone(base);
    mutate(model);
    assert.throws(() => renderHAProxyConfig(model), (error: unknown) => error instanceof UnsafeConfigValueError && error.path.startsWith(path), path);
  }
});

test('several HAProxy instances share a replica\'s maxconnPerServer: each renders its share, rounded up as the agents round theirs; 0 stays unlimited', () => {
  const withInstances = (replicas: number, maxconnPerServer: number) => ({ ...hello, spec: { ...hello.spec, haproxy: { ...hello.spec.haproxy, replicas, maxconnPerServer } } });
  const maxconn = (replicas: number, limit: number) => buildHAProxyModel(withInstances(replicas, limit), { discovery: { kind: 'swarm' }, slots: 16 }).backend.servers.maxconn;
  assert.deepEqual([maxconn(1, 100), maxconn(2, 100), maxconn(3, 100), maxconn(9, 5), maxconn(3, 0)], [100, 50, 34, 1, 0]);
  assert.deepEqual([1, 2, 3].map((n) => maxconnPerInstance(100, n)), [100, 50, 34]);
  assert.match(renderHAProxyConfig(buildHAProxyModel(withInstances(2, 100), { discovery: { kind: 'swarm' }, slots: 16 })), / maxconn 50 /);
});
