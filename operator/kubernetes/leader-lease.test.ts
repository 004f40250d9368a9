// Leader election against the FAKE API server (short timings): one leader at a time, a released
// Lease is taken over at once, an abandoned one after its duration, and a leader that cannot renew
// stops leading. operator/kubernetes/leader-election.k8s.test.ts runs two real operators against
// a real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeBackend, FAKE_NAMESPACE } from '../../test/fakes/kube-apiserver/fake-backend.js';
import { eventually } from '../../test/conformance/conformance-world.js';
import { LeaderLease, LEASE_NAME, type LeaseTiming } from './leader-lease.js';

const FAST: LeaseTiming = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryEveryMs: 100 };
// Wide margins where the test compares a takeover with the lease duration: the unit tier runs its
// files side by side on two cores, and a renewal or a takeover may be late by a second there (a
// CI run saw it). Only lower bounds are tight: load can delay a takeover, never hasten it.
const ROOMY: LeaseTiming = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryEveryMs: 100 };

test('two candidates: exactly one leads; a released Lease passes at once, an abandoned one after its duration', async (t) => {
  const { api, fake, close } = await startFakeBackend();
  t.after(close);
  const log: string[] = [];
  const make = (id: string) => new LeaderLease(api, id, {
    onStartedLeading: () => log.push(`${id} leads`),
    onStoppedLeading: () => log.push(`${id} stopped`),
  }, ROOMY);
  const a = make('a');
  const b = make('b');
  a.start();
  b.start();
  await eventually('a leader', async () => (a.isLeader || b.isLeader ? true : undefined), 5000);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // several renewals
  assert.equal([a, b].filter((c) => c.isLeader).length, 1, `one leader: ${log.join(', ')}`);
  const [leader, standby] = a.isLeader ? [a, b] : [b, a];
  const holder = (fake.get('leases', FAKE_NAMESPACE, LEASE_NAME)!['spec'] as { holderIdentity: string }).holderIdentity;
  assert.equal(holder, leader.identity);

  const released = performance.now();
  await leader.stop();
  await eventually('the standby takes over', async () => (standby.isLeader ? true : undefined), 10_000);
  const releasedAfter = performance.now() - released;
  assert.ok(releasedAfter < ROOMY.leaseDurationMs / 2, `a released Lease does not wait for its duration (taken after ${Math.round(releasedAfter)} ms)`);
  const spec = fake.get('leases', FAKE_NAMESPACE, LEASE_NAME)!['spec'] as { holderIdentity: string; leaseTransitions: number };
  assert.equal(spec.holderIdentity, standby.identity);

  // A third candidate meets a Lease whose holder stops renewing without releasing it.
  const c = make('c');
  c.start();
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(c.isLeader, false, 'a fresh Lease is respected');
  (standby as unknown as { stopped: boolean }).stopped = true; // dies: no more renewals, no release
  const abandoned = performance.now();
  await eventually('c takes the abandoned Lease', async () => (c.isLeader ? true : undefined), 15_000);
  const abandonedAfter = performance.now() - abandoned;
  // c counts the duration from the last renewal it saw, at most one retry before the holder died.
  assert.ok(abandonedAfter >= ROOMY.leaseDurationMs - 2 * ROOMY.retryEveryMs, `an abandoned Lease waits for its duration (taken after ${Math.round(abandonedAfter)} ms)`);
  await c.stop();
  assert.ok(!log.some((l) => l.endsWith('stopped')), log.join(', '));
});

test('a leader that cannot renew for renewDeadline stops leading', async (t) => {
  const { api, fake, close } = await startFakeBackend();
  t.after(close);
  let stopped = false;
  const lease = new LeaderLease(api, 'a', { onStartedLeading: () => {}, onStoppedLeading: () => { stopped = true; } }, FAST);
  lease.start();
  await eventually('leading', async () => (lease.isLeader ? true : undefined), 5000);
  // Another writer takes the Lease by force (an admin, a split brain): renewals now fail.
  fake.write('leases', FAKE_NAMESPACE, LEASE_NAME, (o) => { (o['spec'] as { holderIdentity: string; leaseDurationSeconds: number }).holderIdentity = 'intruder'; (o['spec'] as { leaseDurationSeconds: number }).leaseDurationSeconds = 60; });
  await eventually('stops leading', async () => (stopped ? true : undefined), 5000);
  assert.equal(lease.isLeader, false);
});
