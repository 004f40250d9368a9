import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredStateFor } from '../core/desired-state.js';
import { specHash } from '../core/spec-hash.js';
import { fromServiceSpec, toServiceSpec } from './service-spec.js';
import { CONTROL, loadExample } from '../../test/operator/specs.js';

const ids = { networkId: (n: string) => `id-${n}`, secretId: (n: string) => `sid-${n}`, configId: (n: string) => `cid-${n}` };

test('fromServiceSpec(toServiceSpec(x)) is x, so an untouched service never looks drifted', () => {
  for (const service of desiredStateFor(loadExample(), CONTROL).services) {
    const back = fromServiceSpec(toServiceSpec(service, ids), (id) => id.replace(/^id-/, ''));
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(service)), service.name);
    assert.equal(specHash(back), specHash(service), service.name);
  }
});

test('HAProxy ports are published in host mode, API replicas use dnsrr and start-first updates with rollback', () => {
  const [api, haproxy] = desiredStateFor(loadExample(), CONTROL).services.map((s) => toServiceSpec(s, ids));
  assert.equal(api!.EndpointSpec!.Mode, 'dnsrr');
  assert.equal(api!.UpdateConfig!.Order, 'start-first');
  assert.equal(api!.UpdateConfig!.FailureAction, 'rollback');
  assert.deepEqual(haproxy!.EndpointSpec!.Ports!.map((p) => p.PublishMode), ['host', 'host']);
  assert.equal(haproxy!.UpdateConfig!.Order, 'stop-first');
});

test('scaling changes only the replica count: the task template stays the same, so no task restarts', () => {
  const two = desiredStateFor(loadExample(), CONTROL).services[0]!;
  const four = desiredStateFor(loadExample((t) => t.replace('replicas: 2', 'replicas: 4')), CONTROL).services[0]!;
  assert.deepEqual(toServiceSpec(four, ids).TaskTemplate, toServiceSpec(two, ids).TaskTemplate);
});

test('HAProxy instances: MaxReplicas 1 (one per node, as their host ports need), the managers or the nodes with the label; read back exactly', () => {
  const spec = loadExample((t) => t.replace('statsPort: 8404', 'statsPort: 8404\n    replicas: 3\n    nodeLabel: example.com/edge=true'));
  for (const [example, constraints] of [[loadExample(), ['node.role == manager']], [spec, ['node.labels.example.com/edge == true']]] as const) {
    const haproxy = desiredStateFor(example, CONTROL).services[1]!;
    const swarm = toServiceSpec(haproxy, ids);
    assert.deepEqual(swarm.TaskTemplate!.Placement, { Constraints: constraints, MaxReplicas: 1 });
    assert.equal(swarm.Mode!.Replicated!.Replicas, haproxy.replicas);
    assert.deepEqual(fromServiceSpec(swarm, (id) => id.replace(/^id-/, ''))!.placement, haproxy.placement);
  }
});
