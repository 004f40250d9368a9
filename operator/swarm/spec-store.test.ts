// The Swarm spec store reading what is in the Swarm's configs: real dockerode against the FAKE
// Docker Engine API (test/fakes/swarm-api), which lists the configs it is given with Docker's label
// filter (the real dockerd runs the same cases in the backend conformance suite, e2e).
// A config written by an older bso or by hand must come back through the one loader: every
// default filled in, or every issue with its path; never the raw object.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { startFakeSwarmApi, type FakeSwarmApi } from '../../test/fakes/swarm-api/fake-swarm-api.js';
import { specConfigBody, SwarmSpecStore } from './spec-store.js';

const fakes: FakeSwarmApi[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));

/** A store over real dockerode and a FAKE Engine API whose Swarm holds these configs (and a config that is not a spec). */
async function storeOf(bodies: Array<ReturnType<typeof specConfigBody>>): Promise<SwarmSpecStore> {
  const fake = await startFakeSwarmApi({ configs: [...bodies, { Name: 'not-a-spec', Labels: { app: 'x' }, Data: 'e30=' }] });
  fakes.push(fake);
  const { hostname, port } = new URL(fake.url);
  return new SwarmSpecStore(new Docker({ host: hostname, port: Number(port), protocol: 'http' }));
}

const image = 'bso-hello-api:latest';

test('a stored spec without thresholds (or any other defaulted field) is read with the defaults', async () => {
  const stored = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'old' }, spec: { image, agent: { port: 9999 } } };
  const [spec] = await (await storeOf([specConfigBody('old', 3, stored, 'h')])).list();
  assert.ok(spec?.valid, 'valid');
  assert.deepEqual(spec.object.spec.agent.thresholds, { maint: 80, ready: 60 });
  assert.equal(spec.object.spec.replicas, 2);
  assert.equal(spec.generation, 3);
});

test('an invalid stored spec is read as its issues with their paths, a config that is not JSON as one issue', async () => {
  const invalid = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'bad' }, spec: { image, agent: { thresholds: { maint: 50, ready: 70 } } } };
  const garbled = { ...specConfigBody('junk', 1, {}, 'h'), Data: Buffer.from('{"spec": ').toString('base64') };
  const specs = await (await storeOf([specConfigBody('bad', 1, invalid, 'h'), garbled])).list();
  const bad = specs.find((s) => s.name === 'bad');
  assert.ok(bad && !bad.valid);
  assert.deepEqual(bad.issues.map((i) => [i.file, i.path]), [['swarm config bso-spec-bad-g1', 'spec.agent.thresholds.ready']]);
  const junk = specs.find((s) => s.name === 'junk');
  assert.ok(junk && !junk.valid);
  assert.match(junk.issues[0]!.message, /^is not JSON: /);
});

test('a stored spec whose metadata.name is not the name it is stored under is invalid', async () => {
  const stored = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'other' }, spec: { image } };
  const [spec] = await (await storeOf([specConfigBody('mine', 1, stored, 'h')])).list();
  assert.ok(spec && !spec.valid);
  assert.equal(spec.name, 'mine');
  assert.equal(spec.issues[0]!.path, 'metadata.name');
});

test('a config is validated once: listing again does not parse it again (configs never change)', async () => {
  const stored = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'web' }, spec: { image } };
  const store = await storeOf([specConfigBody('web', 1, stored, 'h')]);
  const [first] = await store.list();
  const [second] = await store.list();
  assert.ok(first?.valid && second?.valid);
  assert.equal(second.object, first.object, 'the same loaded object');
});
