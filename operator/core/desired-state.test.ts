import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredStateFor } from './desired-state.js';
import { LABEL_SPEC_HASH, SUPERVISOR_ENV } from '../../contract/names.js';
import { CONTROL, loadExample } from '../../test/operator/specs.js';

test('the example becomes a dnsrr API service with limits and agent env, and an HAProxy publishing host ports', () => {
  const desired = desiredStateFor(loadExample(), CONTROL);
  const [api, haproxy] = desired.services;
  assert.equal(desired.network.name, 'hello-net');
  assert.deepEqual(desired.secrets.map((s) => s.name), ['hello-stats-auth']);
  assert.equal(api!.name, 'hello-api');
  assert.equal(api!.replicas, 2);
  assert.equal(api!.endpointMode, 'dnsrr');
  assert.deepEqual(api!.limits, { nanoCpus: 500_000_000, memoryBytes: 256 * 2 ** 20 });
  assert.equal(api!.env.BSO_MAINT_AT, '80');
  assert.equal(api!.env.BSO_READY_AT, '60');
  assert.equal(api!.env.AGENT_PORT, '9999');
  assert.equal(api!.env.BSO_REFERENCE_CPUS, '0.5');
  assert.equal(api!.env.BSO_MAXCONN_LIMIT, '100');
  assert.deepEqual(api!.ports, []);
  assert.equal(haproxy!.name, 'hello-haproxy');
  assert.deepEqual(haproxy!.ports, [{ target: 80, published: 80 }, { target: 8404, published: 8404 }]);
  assert.deepEqual(haproxy!.networks, ['hello-net', 'bso-control']);
  assert.equal(haproxy!.placement.managersOnly, true);
});

test('the spec hash label changes with the spec and only then', () => {
  const a = desiredStateFor(loadExample(), CONTROL).services[0]!.labels[LABEL_SPEC_HASH];
  const b = desiredStateFor(loadExample(), CONTROL).services[0]!.labels[LABEL_SPEC_HASH];
  const c = desiredStateFor(loadExample((t) => t.replace('replicas: 2', 'replicas: 4')), CONTROL).services[0]!.labels[LABEL_SPEC_HASH];
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('a user-provided stats secret is used and not generated', () => {
  const spec = loadExample((t) => t.replace('statsPort: 8404', 'statsPort: 8404\n    statsSecret: my-stats'));
  const desired = desiredStateFor(spec, CONTROL);
  assert.deepEqual(desired.secrets, []);
  assert.ok(desired.services[1]!.files.some((f) => f.source === 'secret' && f.name === 'my-stats'));
});

test('the HAProxy service gets every variable of the supervisor contract, and nothing else', () => {
  const desired = desiredStateFor(loadExample(), CONTROL);
  assert.deepEqual(Object.keys(desired.services[1]!.env).sort(), Object.values(SUPERVISOR_ENV).sort());
});

test('services say where their /metrics is, for Prometheus\'s Swarm discovery', () => {
  const [api, haproxy] = desiredStateFor(loadExample(), CONTROL).services;
  assert.equal(api!.labels['bso.dev/metrics-port'], '8080');
  assert.equal(haproxy!.labels['bso.dev/metrics-port'], '8404');
});

test('spec.haproxy.replicas instances, at most one per node: on the managers by default, else on the nodes with nodeLabel', () => {
  const [, one] = desiredStateFor(loadExample(), CONTROL).services;
  assert.equal(one!.replicas, 1);
  assert.deepEqual(one!.placement, { managersOnly: true, maxPerNode: 1 });
  const spec = loadExample((t) => t.replace('statsPort: 8404', 'statsPort: 8404\n    replicas: 3\n    nodeLabel: example.com/edge=true'));
  const [api, three] = desiredStateFor(spec, CONTROL).services;
  assert.equal(three!.replicas, 3);
  assert.deepEqual(three!.placement, { managersOnly: false, nodeLabel: { key: 'example.com/edge', value: 'true' }, maxPerNode: 1 });
  assert.deepEqual(api!.placement, { managersOnly: false }, 'API replicas go anywhere, several per node');
});
