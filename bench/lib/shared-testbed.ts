// The testbed scenarios 1-4 share within one `npm run bench` (set up once, ~20 s), the replicas'
// measured capacity, and the helpers they all need. The runner closes it at the end.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDockerLock } from './cp-docker-lock.js';
import { waitFor } from './run.js';
import { Testbed, type Replica } from './testbed.js';
import type { Flavour } from './peer-configs.js';
import { runWrk } from './wrk.js';
import type { BenchContext, PeerName } from './types.js';
import { PEERS } from './types.js';

/** The request every scenario sends: 100 units of CPU work (about 2 ms of one core). */
export const COMPUTE_UNITS = 100;
export const COMPUTE_PATH = `/compute?units=${COMPUTE_UNITS}`;

let testbed: Testbed | undefined;
let capacity: Capacity | undefined;
let workDir: string | undefined;

export interface Capacity {
  /** Successful requests per second one unloaded replica serves at its CPU limit (wrk, closed loop). */
  perReplica: number;
  /** The two healthy replicas together: what scenario 2's 40 % and 80 % are of. */
  healthy: number;
}

export async function sharedTestbed(ctx: BenchContext): Promise<Testbed> {
  if (!testbed) {
    const configs = join(ctx.resultsDir, 'haproxy-configs');
    mkdirSync(configs, { recursive: true });
    workDir = mkdtempSync(join(tmpdir(), 'bsobench-'));
    const bed = new Testbed(workDir, ctx.log, (key, text) => writeFileSync(join(configs, `${key}.cfg`), text));
    testbed = bed;
    await bed.setUp();
  }
  return testbed;
}

export async function closeSharedTestbed(): Promise<void> {
  const bed = testbed;
  testbed = undefined;
  capacity = undefined;
  if (bed) await bed.tearDown();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

/** Every scenario of 1-4 holds the shared Docker lock while it runs (bench/lib/cp-docker-lock.ts). */
export function withTestbed<T>(ctx: BenchContext, work: (bed: Testbed) => Promise<T>): Promise<T> {
  return withDockerLock(async () => work(await sharedTestbed(ctx)), ctx.log);
}

/** Measured once per bench: wrk straight at both healthy replicas at once (they share the host). */
export async function measureCapacity(ctx: BenchContext, bed: Testbed): Promise<Capacity> {
  if (capacity) return capacity;
  const healthy = [bed.replica('bso', 'healthy', 0), bed.replica('bso', 'healthy', 1)];
  const seconds = ctx.quick ? 3 : 5;
  const results = await Promise.all(healthy.map((r) => runWrk(urlOf(r), { connections: 8, seconds })));
  const total = results.reduce((sum, r) => sum + r.goodput, 0);
  capacity = { perReplica: total / healthy.length, healthy: total };
  ctx.log(`capacity: ${capacity.perReplica.toFixed(0)} req/s per replica (${COMPUTE_PATH}), ${total.toFixed(0)} req/s for the two healthy ones`);
  await waitAgentsIdle(bed, 'bso');
  return capacity;
}

export function urlOf(replica: Replica): string {
  return `http://${replica.ip}:8080${COMPUTE_PATH}`;
}

/** Below this load (share of its CPU limit) a replica counts as idle: health and agent checks cost a few %. */
const IDLE_LOAD = 0.3;

/** Waits until every replica of a flavour tells (GET /) that its agent is ready and its load is low. */
export async function waitAgentsIdle(bed: Testbed, flavour: Flavour, timeoutMs = 30_000): Promise<void> {
  const replicas = bed.replicas.filter((r) => r.flavour === flavour);
  await waitFor(`${flavour} agents ready and idle`, timeoutMs, async () => {
    const states = await Promise.all(replicas.map(async (r) => (await fetch(`http://${r.ip}:8080/`, { signal: AbortSignal.timeout(1000) })).json() as Promise<{ state: string; load: { metric: number } }>));
    return states.every((s) => s.state === 'ready' && s.load.metric < IDLE_LOAD);
  });
}

/** Peers in a different order each run (rotated), so no peer always follows the same one. */
export function peersForRun(run: number, peers: readonly PeerName[] = PEERS): PeerName[] {
  const k = run % peers.length;
  return [...peers.slice(k), ...peers.slice(0, k)];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
