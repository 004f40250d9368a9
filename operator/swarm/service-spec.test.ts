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

test('spec.rollout: maxSurge N starts N new tasks first; maxSurge 0 stops maxUnavailable old ones first; the readiness healthcheck gates both; read back exactly', () => {
  for (const [rollout, parallelism, order] of [['', 1, 'start-first'], ['  rollout: { maxSurge: 2, maxUnavailable: 1 }\n', 2, 'start-first'], ['  rollout: { maxSurge: 0, maxUnavailable: 3 }\n', 3, 'stop-first']] as const) {
    const api = desiredStateFor(loadExample((t) => t.replace('  resources:', `${rollout}  resources:`)), CONTROL).services[0]!;
    const swarm = toServiceSpec(api, ids);
    assert.equal(swarm.UpdateConfig!.Parallelism, parallelism, rollout);
    assert.equal(swarm.UpdateConfig!.Order, order, rollout);
    assert.equal(swarm.UpdateConfig!.FailureAction, 'rollback');
    assert.equal(swarm.UpdateConfig!.Delay, 6000 * 1e6, 'each batch waits for HAProxy: resolve 1 s + rise 2 x interval 2 s + 1 s');
    const healthcheck = (swarm.TaskTemplate as { ContainerSpec: { Healthcheck?: { Test: string[]; StartPeriod: number } } }).ContainerSpec.Healthcheck!;
    assert.deepEqual(healthcheck.Test.slice(0, 3), ['CMD', 'node', '-e']);
    assert.match(healthcheck.Test[3]!, /path:'\/healthz'/);
    const back = fromServiceSpec(swarm, (id) => id.replace(/^id-/, ''))!;
    assert.deepEqual(back.rollout, api.rollout);
    assert.equal(specHash(back), specHash(api));
  }
});

test('an UpdateConfig or healthcheck changed behind bso\'s back reads back as another rollout: drift', () => {
  const api = desiredStateFor(loadExample(), CONTROL).services[0]!;
  const swarm = toServiceSpec(api, ids);
  const edited = structuredClone(swarm);
  edited.UpdateConfig!.Parallelism = 5;
  assert.notEqual(specHash(fromServiceSpec(edited, (id) => id.replace(/^id-/, ''))), specHash(api));
  const noCheck = structuredClone(swarm);
  delete (noCheck.TaskTemplate as { ContainerSpec: { Healthcheck?: unknown } }).ContainerSpec.Healthcheck;
  assert.notEqual(specHash(fromServiceSpec(noCheck, (id) => id.replace(/^id-/, ''))), specHash(api));
});

test('tasks carry the revision: it changes with the image or env, not with replicas or the rollout settings', () => {
  const labelOf = (edit: (t: string) => string) => {
    const swarm = toServiceSpec(desiredStateFor(loadExample(edit), CONTROL).services[0]!, ids);
    return (swarm.TaskTemplate as { ContainerSpec: { Labels: Record<string, string> } }).ContainerSpec.Labels['bso.dev/revision'];
  };
  const base = labelOf((t) => t);
  assert.match(base!, /^[0-9a-f]{12}$/);
  assert.equal(labelOf((t) => t.replace('replicas: 2', 'replicas: 5')), base);
  assert.equal(labelOf((t) => t.replace('  resources:', '  rollout: { maxSurge: 2 }\n  resources:')), base);
  assert.notEqual(labelOf((t) => t.replace('bso-hello-api:latest', 'bso-hello-api:v2')), base);
  assert.notEqual(labelOf((t) => t.replace('  resources:', '  env: { GREETING: hi }\n  resources:')), base);
});
