// One conformance suite run against every Backend implementation (Swarm on a real dockerd,
// Kubernetes against the fake API server): the contract pinned by the state of the world -
// what getSpec, observe and the planner see afterwards - never by call sequences.
//   runBackendConformance('swarm', async () => ({ backend, cleanup }))
// Every test makes its own backend and its own uniquely named BalancedService, and removes it.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isBsoError } from '../../lib/errors.js';
import { validStoredObject, type Backend } from '../../operator/backend.js';
import { desiredStateFor, type DesiredService } from '../../operator/core/desired-state.js';
import { apiServiceName, LABEL_COMPONENT, LABEL_OWNER, networkName } from '../../contract/names.js';
import { planFor, serviceDrift, type ObservedObject } from '../../operator/core/plan.js';
import {
  converge, eventually, OPERATOR_URL, randomPort, sleep, specFor, tearDown, uniqueName, USER_LABEL, wantedNames,
  type ConformanceSubject, type SpecOptions,
} from './conformance-world.js';

export type { ConformanceSubject } from './conformance-world.js';

type Foreign = { kind: 'network' | 'secret' | 'service'; name: string };

export function runBackendConformance(name: string, makeBackend: () => Promise<ConformanceSubject>): void {
  /** A backend and a fresh BalancedService name; everything is removed after the test. */
  async function world(t: TestContext, suffix: string, foreign: (name: string) => Foreign[] = () => []) {
    const subject = await makeBackend();
    const serviceName = uniqueName(suffix);
    t.after(async () => {
      try {
        await tearDown(subject.backend, serviceName, foreign(serviceName));
      } finally {
        await subject.cleanup();
      }
    });
    const port = randomPort();
    const spec = (options?: SpecOptions) => specFor(serviceName, subject.images, { port, ...options });
    return { ...subject, name: serviceName, spec };
  }

  /** Stores the spec and converges an empty world to it; returns what should exist. */
  async function deployed(backend: Backend, object: ReturnType<typeof specFor>) {
    const control = await backend.ensureControlPlane(OPERATOR_URL);
    await backend.putSpec(object);
    const stored = await backend.getSpec(object.metadata.name);
    assert.ok(stored, 'the spec just stored is readable');
    const desired = desiredStateFor(validStoredObject(stored), control);
    await converge(backend, object.metadata.name, desired);
    return desired;
  }

  async function observedService(backend: Backend, owner: string, service: DesiredService): Promise<ObservedObject> {
    const found = (await backend.observe(owner, [service.name])).byName.find((o) => o.kind === 'service' && o.name === service.name);
    assert.ok(found, `${service.name} is observed`);
    return found;
  }

  describe(`backend conformance: ${name}`, () => {
    test('putSpec is idempotent: an unchanged spec writes nothing and keeps its generation', async (t) => {
      const { backend, spec, name: id } = await world(t, 'idem');
      const first = await backend.putSpec(spec());
      assert.equal(first.changed, true);
      assert.ok(first.generation >= 1);
      const object = validStoredObject((await backend.getSpec(id))!);
      const again = await backend.putSpec(object);
      assert.deepEqual(again, { generation: first.generation, changed: false });
      assert.deepEqual(await backend.putSpec(structuredClone(object)), { generation: first.generation, changed: false });
      assert.equal((await backend.getSpec(id))!.generation, first.generation);
    });

    test('a changed spec bumps the generation; getSpec and listSpecs return the latest, defaults included', async (t) => {
      const { backend, spec, name: id } = await world(t, 'gen');
      const first = await backend.putSpec(spec({ replicas: 1 }));
      const latest = spec({ replicas: 2, env: { GREETING: 'hi' } });
      const second = await backend.putSpec(latest);
      assert.deepEqual(second, { generation: first.generation + 1, changed: true });

      const stored = await backend.getSpec(id);
      assert.ok(stored);
      assert.equal(stored.generation, second.generation);
      assert.equal(stored.name, id);
      assert.deepEqual(validStoredObject(stored).metadata.labels, latest.metadata.labels);
      assert.deepEqual(validStoredObject(stored).spec, latest.spec, 'the latest spec with every default');
      assert.ok(Date.parse(stored.createdAt) <= Date.parse(stored.updatedAt), `createdAt ${stored.createdAt} <= updatedAt ${stored.updatedAt}`);
      const listed = (await backend.listSpecs()).filter((s) => s.name === id);
      assert.equal(listed.length, 1);
      assert.deepEqual(validStoredObject(listed[0]!).spec, latest.spec);
      assert.equal(listed[0]!.generation, second.generation);
      assert.equal(await backend.getSpec(`${id}-missing`), undefined);
    });

    test('a stored spec without its defaulted fields (an older bso, a hand edit) reads back with every default and plans like the applied one', async (t) => {
      const { backend, spec, name: id, storeRaw } = await world(t, 'sparse');
      const applied = spec();
      // What a user writes at least: no agent, no resources, no thresholds, no timeouts.
      await storeRaw(id, {
        apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: id, labels: applied.metadata.labels },
        spec: { image: applied.spec.image, replicas: applied.spec.replicas, haproxy: { image: applied.spec.haproxy.image, port: applied.spec.haproxy.port, statsPort: applied.spec.haproxy.statsPort } },
      });
      const stored = await backend.getSpec(id);
      assert.ok(stored, 'the spec written by hand is listed');
      assert.equal(stored.valid, true, `issues: ${stored.valid ? '' : stored.issues.map((i) => i.message).join('; ')}`);
      assert.deepEqual(validStoredObject(stored).spec, applied.spec, 'every default filled in, as bso apply would have');
      assert.equal(validStoredObject(stored).spec.agent.thresholds.maint, 80);
      const control = await backend.ensureControlPlane(OPERATOR_URL);
      const api = desiredStateFor(validStoredObject(stored), control).services.find((x) => x.component === 'api')!;
      assert.equal(api.env['BSO_MAINT_AT'], '80');
      assert.equal(api.env['BSO_READY_AT'], '60');
    });

    test('an invalid stored spec reads back as its issues, each with its path; listing still works', async (t) => {
      const { backend, spec, name: id, storeRaw, schemaChecked } = await world(t, 'broken');
      const applied = spec();
      // Thresholds the wrong way round: valid types, invalid across fields (what a CRD schema
      // cannot say); a wrong type too where the store does not check types.
      await storeRaw(id, {
        apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: id },
        spec: { ...applied.spec, ...(schemaChecked ? {} : { replicas: 'three' }), agent: { ...applied.spec.agent, thresholds: { maint: 50, ready: 70 } } },
      });
      const stored = await backend.getSpec(id);
      assert.ok(stored);
      assert.equal(stored.valid, false);
      assert.equal(stored.object, undefined, 'nothing to build from');
      const paths = stored.valid ? [] : stored.issues.map((i) => i.path);
      if (!schemaChecked) assert.ok(paths.includes('spec.replicas'), `issue paths: ${paths.join(', ')}`);
      assert.ok(paths.some((p) => p.startsWith('spec.agent.thresholds')), `issue paths: ${paths.join(', ')}`);
      assert.ok((await backend.listSpecs()).some((s) => s.name === id && !s.valid));
      const firstPath = schemaChecked ? /spec\.agent\.thresholds/ : /spec\.replicas/;
      assert.throws(() => validStoredObject(stored), (e: unknown) => isBsoError(e, 'BSO_SPEC_INVALID') && firstPath.test((e as Error).message));
    });

    test('deleteSpec removes the spec and returns false the second time', async (t) => {
      const { backend, spec, name: id } = await world(t, 'del');
      await backend.putSpec(spec());
      assert.equal(await backend.deleteSpec(id), true);
      assert.equal(await backend.getSpec(id), undefined);
      assert.ok(!(await backend.listSpecs()).some((s) => s.name === id));
      assert.equal(await backend.deleteSpec(id), false);
    });

    test('an empty world converges in one plan, observe reports it all as owned, and a second plan is empty', async (t) => {
      const { backend, spec, name: id } = await world(t, 'conv');
      const control = await backend.ensureControlPlane(OPERATOR_URL);
      await backend.putSpec(spec());
      const desired = desiredStateFor(validStoredObject((await backend.getSpec(id))!), control);
      const wanted = wantedNames(desired);
      const empty = await backend.observe(id, wanted);
      assert.deepEqual([empty.owned, empty.byName], [[], []]);

      const plan = planFor(id, desired, empty.owned, empty.byName);
      assert.deepEqual(plan.conflicts, []);
      assert.deepEqual(plan.actions.map((a) => a.type), plan.actions.map(() => 'create'));
      for (const action of plan.actions) await backend.execute(action);

      const observed = await backend.observe(id, wanted);
      const kindsAndNames = (objects: ObservedObject[]) => objects.map((o) => `${o.kind}/${o.name}`).sort();
      const expected = [`network/${desired.network.name}`, ...desired.secrets.map((s) => `secret/${s.name}`), ...desired.services.map((s) => `service/${s.name}`)].sort();
      assert.deepEqual(kindsAndNames(observed.owned), expected);
      assert.deepEqual(kindsAndNames(observed.byName), expected);
      for (const o of observed.owned) {
        assert.equal(o.labels[LABEL_OWNER], id, `${o.kind}/${o.name} owner label`);
        assert.ok(o.labels[LABEL_COMPONENT], `${o.kind}/${o.name} component label`);
        assert.equal(o.labels[USER_LABEL.key], USER_LABEL.value, `${o.kind}/${o.name} carries the user's labels`);
      }
      for (const service of desired.services) {
        const o = observed.byName.find((b) => b.kind === 'service' && b.name === service.name)!;
        assert.equal(serviceDrift(service, o), undefined, `${service.name} reads back as written`);
        assert.equal(typeof o.version, 'number');
      }
      assert.deepEqual(planFor(id, desired, observed.owned, observed.byName), { actions: [], conflicts: [], held: [] }, 'an unchanged spec causes zero writes');
      assert.ok((await backend.listOwners()).includes(id));

      const api = apiServiceName(id);
      await eventually('replicaCounts reports the desired replicas', async () => ((await backend.replicaCounts(api)).desired === 1 ? true : undefined));
      const counts = await backend.replicaCounts(api);
      assert.ok(counts.running >= 0 && counts.running <= counts.desired + 1, JSON.stringify(counts));
      for (const task of await backend.tasks(api)) assert.ok(typeof task.id === 'string' && task.id && Number.isInteger(task.slot), JSON.stringify(task));
    });

    test('replicas changed behind bso\'s back are planned as an update and converge', async (t) => {
      const { backend, spec, name: id } = await world(t, 'drift');
      const desired = await deployed(backend, spec({ replicas: 1 }));
      const api = desired.services.find((s) => s.component === 'api')!;
      const before = await observedService(backend, id, api);
      await backend.execute({ type: 'update', kind: 'service', service: { ...api, replicas: 3 }, id: before.id, version: before.version!, reason: 'conformance: scaled by hand' });

      const drifted = await observedService(backend, id, api);
      assert.equal(drifted.service?.replicas, 3, 'the world changed');
      const observed = await backend.observe(id, wantedNames(desired));
      const plan = planFor(id, desired, observed.owned, observed.byName);
      assert.equal(plan.actions.length, 1, JSON.stringify(plan.actions.map((a) => a.type)));
      const update = plan.actions[0]!;
      assert.ok(update.type === 'update' && update.service.name === api.name && /replicas/.test(update.reason), JSON.stringify(update));
      assert.equal(update.version, drifted.version, 'based on the version just observed');

      await converge(backend, id, desired);
      assert.equal((await observedService(backend, id, api)).service?.replicas, 1, 'reverted');
    });

    test('an update based on a stale version is a transient BSO_CONFLICT and changes nothing', async (t) => {
      const { backend, spec, name: id } = await world(t, 'stale');
      const desired = await deployed(backend, spec({ replicas: 1 }));
      const api = desired.services.find((s) => s.component === 'api')!;
      const before = await observedService(backend, id, api);
      await backend.execute({ type: 'update', kind: 'service', service: { ...api, replicas: 2 }, id: before.id, version: before.version!, reason: 'conformance: first writer' });
      await assert.rejects(
        backend.execute({ type: 'update', kind: 'service', service: { ...api, replicas: 4 }, id: before.id, version: before.version!, reason: 'conformance: stale writer' }),
        (error: unknown) => isBsoError(error, 'BSO_CONFLICT') && error.transient,
      );
      assert.equal((await observedService(backend, id, api)).service?.replicas, 2, 'the stale write did not land');
    });

    test('a changed spec is planned as an update of the service it changes, and converges', async (t) => {
      const { backend, spec, name: id } = await world(t, 'upd');
      const control = await backend.ensureControlPlane(OPERATOR_URL);
      await deployed(backend, spec({ replicas: 1 }));
      await backend.putSpec(spec({ replicas: 2, env: { GREETING: 'changed' } }));
      const desired = desiredStateFor(validStoredObject((await backend.getSpec(id))!), control);
      const observed = await backend.observe(id, wantedNames(desired));
      const plan = planFor(id, desired, observed.owned, observed.byName);
      assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.kind}`), ['update service']);
      await converge(backend, id, desired);
      const api = await observedService(backend, id, desired.services.find((s) => s.component === 'api')!);
      assert.equal(api.service?.replicas, 2);
      assert.equal(api.service?.env.GREETING, 'changed');
    });

    test('a deleted service is recreated', async (t) => {
      const { backend, spec, name: id } = await world(t, 'gone');
      const desired = await deployed(backend, spec());
      const api = desired.services.find((s) => s.component === 'api')!;
      const before = await observedService(backend, id, api);
      await backend.execute({ type: 'delete', kind: 'service', id: before.id, name: api.name, reason: 'conformance: deleted by hand' });
      const observed = await backend.observe(id, wantedNames(desired));
      assert.ok(!observed.owned.some((o) => o.kind === 'service' && o.name === api.name), 'gone');
      const plan = planFor(id, desired, observed.owned, observed.byName);
      assert.deepEqual(plan.actions.map((a) => (a.type === 'create' && a.kind === 'service' ? a.service.name : `${a.type} ${a.kind}`)), [api.name]);
      await converge(backend, id, desired);
      assert.equal(serviceDrift(api, await observedService(backend, id, api)), undefined);
    });

    test('a foreign object with one of our names is a conflict, left untouched, and survives the delete', async (t) => {
      const { backend, spec, name: id } = await world(t, 'frgn', (n) => [{ kind: 'network', name: networkName(n) }]);
      const network = networkName(id);
      const control = await backend.ensureControlPlane(OPERATOR_URL);
      await backend.putSpec(spec());
      const desired = desiredStateFor(validStoredObject((await backend.getSpec(id))!), control);
      assert.equal(desired.network.name, network);
      await backend.execute({ type: 'create', kind: 'network', name: network, labels: { [USER_LABEL.key]: 'someone-else' } });

      const seen = await backend.observe(id, wantedNames(desired));
      const foreign = seen.byName.find((o) => o.kind === 'network' && o.name === network);
      assert.ok(foreign && foreign.labels[LABEL_OWNER] === undefined, 'reported by name, without our owner label');
      assert.ok(!seen.owned.some((o) => o.name === network), 'not reported as owned');
      const plan = planFor(id, desired, seen.owned, seen.byName);
      assert.deepEqual(plan.conflicts.map((c) => `${c.kind}/${c.name}`), [`network/${network}`]);
      assert.ok(!plan.actions.some((a) => (a.type === 'create' && a.kind !== 'service' ? a.name : a.type === 'delete' ? a.name : '') === network), 'no write to the foreign object');
      for (const action of plan.actions) await backend.execute(action);

      const after = await backend.observe(id, wantedNames(desired));
      const still = after.byName.find((o) => o.kind === 'network' && o.name === network);
      assert.deepEqual(still && { id: still.id, labels: still.labels }, { id: foreign.id, labels: foreign.labels }, 'untouched');
      assert.deepEqual(planFor(id, desired, after.owned, after.byName).conflicts.length, 1, 'still reported');

      await backend.deleteSpec(id);
      await converge(backend, id, undefined);
      const left = await backend.observe(id, wantedNames(desired));
      assert.deepEqual(left.owned, []);
      assert.deepEqual(left.byName.map((o) => ({ kind: o.kind, id: o.id })), [{ kind: 'network', id: foreign.id }], 'the foreign object survives the delete');
    });

    test('deleting the spec and executing the delete plan leaves nothing owned', async (t) => {
      const { backend, spec, name: id, garbageCollected } = await world(t, 'clean');
      const desired = await deployed(backend, spec());
      assert.equal(await backend.deleteSpec(id), true);
      const observed = await backend.observe(id, []);
      const plan = planFor(id, undefined, observed.owned, []);
      const planned = plan.actions.map((a) => `${a.type} ${a.kind} ${a.type === 'delete' ? a.name : ''}`);
      const everything = [
        ...desired.services.map((s) => `delete service ${s.name}`).sort(), ...desired.secrets.map((s) => `delete secret ${s.name}`), `delete network ${desired.network.name}`,
      ];
      if (garbageCollected) {
        // What the garbage collector has not deleted yet, in the same order.
        assert.deepEqual(planned, everything.filter((action) => planned.includes(action)), 'what is still owned is observed, and deleted services first');
      } else {
        assert.deepEqual(planned, everything, 'everything owned is observed, and deleted services first');
      }
      await converge(backend, id, undefined);
      const left = await backend.observe(id, wantedNames(desired));
      assert.deepEqual([left.owned, left.byName], [[], []]);
      assert.ok(!(await backend.listOwners()).includes(id), 'listOwners forgets it');
    });

    test('ensureControlPlane is idempotent and returns the same token twice', async (t) => {
      const { backend } = await world(t, 'ctl');
      const first = await backend.ensureControlPlane(OPERATOR_URL);
      const second = await backend.ensureControlPlane(OPERATOR_URL);
      assert.ok(first.token.length >= 16, 'a real token');
      assert.deepEqual(second, first);
      assert.equal(first.operatorUrl, OPERATOR_URL);
    });

    test('watch hints the name of a spec that changes (hints only: retried until one arrives)', async (t) => {
      const { backend, spec, name: id } = await world(t, 'watch');
      const hints: Array<string | undefined> = [];
      const errors: unknown[] = [];
      const stop = backend.watch((hint) => hints.push(hint), (error) => errors.push(error));
      t.after(stop);
      let replicas = 1;
      await eventually('a hint naming the spec', async () => {
        await backend.putSpec(spec({ replicas: replicas++ }));
        await sleep(500);
        return hints.includes(id) ? true : undefined;
      });
      assert.deepEqual(errors, []);
    });

    test('an unreachable API is BSO_BACKEND_UNAVAILABLE, transient', async (t) => {
      const { unreachable } = await world(t, 'down');
      if (!unreachable) return t.skip('this subject offers no unreachable backend');
      const backend = unreachable();
      const isUnavailable = (error: unknown) => isBsoError(error, 'BSO_BACKEND_UNAVAILABLE') && error.transient;
      await assert.rejects(backend.listSpecs(), isUnavailable);
      await assert.rejects(backend.observe('conf-down', ['conf-down-api']), isUnavailable);
      await assert.rejects(backend.execute({ type: 'create', kind: 'network', name: 'conf-down-net', labels: {} }), isUnavailable);
    });
  });
}
