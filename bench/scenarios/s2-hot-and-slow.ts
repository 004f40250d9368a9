// Scenario 2 (issues #7, #14): one hot replica (stress-ng --cpu 4 inside it, the seed's CPU
// stress) and one replica slow from its own work (a stress-ng worker using about half of its CPU
// limit, below the seed's 80 % threshold), open-loop load at 40, 60 and 80 % of the two healthy
// replicas' capacity. Then the same with two replicas only (one healthy, the slow one) at 90 and
// 130 % of the healthy one's capacity: there the healthy replica cannot carry everything alone, so
// leaving the slow one out (healthy-only) is no longer the limit. Per peer: p50/p99/p999 from the
// intended send time, errors, share of requests per replica. The stress runs in both replica
// flavours for the whole scenario, so each peer meets the same steady state. Goals for bso: p99
// within 1.2x of healthy-only and below leastconn and seed-agent at 40/60/80 %; below healthy-only
// and leastconn with two replicas; zero errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureLevel, SampleBook, WARMUP_MS } from '../lib/level-runs.js';
import { REPLICA_CPUS } from '../lib/peer-configs.js';
import { COMPUTE_PATH, measureCapacity, sleep, withTestbed } from '../lib/shared-testbed.js';
import { summarize } from '../lib/stats.js';
import { renderBarChart } from '../lib/svg.js';
import type { Stress, Testbed } from '../lib/testbed.js';
import type { BenchScenario } from '../lib/types.js';
import { PEERS } from '../lib/types.js';

/** The slow replica's own work: one stress-ng worker at this share of its CPU limit. */
const SLOW_OWN_WORK = 0.5;
/** Two replicas: load in shares of ONE healthy replica's capacity (above 1, it cannot carry it alone). */
const PAIR_LEVELS = [0.9, 1.3];

export const scenario: BenchScenario = {
  id: 2,
  title: 'One hot and one slow replica at 40, 60 and 80 % of healthy capacity; two replicas beyond one\'s capacity',
  inQuick: true,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const levels = ctx.quick ? [0.8] : [0.4, 0.6, 0.8];
    const pairLevels = ctx.quick ? [1.3] : PAIR_LEVELS;
    const durationMs = ctx.quick ? 5000 : 8000;
    const four = await bed.haproxiesFor(PEERS, 'healthy');
    const stresses = await stressHotAndSlow(bed);
    const book = new SampleBook();
    try {
      await sleep(6000); // the agents see the stress
      for (let run = 0; run < ctx.runs; run++) {
        for (const level of levels) {
          await measureLevel(ctx, bed, book, {
            peers: PEERS, haproxies: four, run, rate: Math.round(level * capacity.healthy), label: `${Math.round(level * 100)} %`, durationMs,
            p99Goal: 'bso <= 1.2x healthy-only, < leastconn, < seed-agent', shareOf: ['hot', 'slow'],
          });
        }
      }
      // Two replicas: their own HAProxy instances, started now and removed after (an idle bso
      // instance would still ask the agents, which share a replica's concurrency among askers).
      const pair = await bed.haproxiesFor(PEERS, 'first', 'pair');
      try {
        for (let run = 0; run < ctx.runs; run++) {
          for (const level of pairLevels) {
            await measureLevel(ctx, bed, book, {
              peers: PEERS, haproxies: pair, run, rate: Math.round(level * capacity.perReplica), label: `${Math.round(level * 100)} % of one, 2 replicas`, durationMs,
              p99Goal: 'bso < healthy-only, < leastconn', shareOf: ['slow'],
            });
          }
        }
      } finally {
        await bed.removeHAProxies('pair');
        await bed.removeHAProxies('first');
      }
    } finally {
      await Promise.all(stresses.map((s) => s.stop()));
    }
    const all = book.all();
    const plots = [{ file: 's2-p99.svg', title: 'S2 p99 latency by load' }, { file: 's2-share-slow.svg', title: 'S2 share of requests on the slow replica' }];
    const chart = (metric: string, unit: string, title: string, logScale: boolean) => renderBarChart({
      title, unit, logScale,
      groups: [...levels.map((l) => `${Math.round(l * 100)} %`), ...pairLevels.map((l) => `${Math.round(l * 100)} % of one, 2 replicas`)].map((label) => ({
        label, bars: PEERS.map((peer) => ({ label: peer, ...summarize(book.get(peer, `${metric} @ ${label}`)?.values ?? []) })),
      })),
    });
    writeFileSync(join(ctx.resultsDir, 's2-p99.svg'), chart('p99', 'ms (log)', 'S2 p99 latency, hot + slow replica (median, min..max)', true));
    writeFileSync(join(ctx.resultsDir, 's2-share-slow.svg'), chart('share on slow', '%', 'S2 share of requests answered by the slow replica', false));
    return {
      id: 2, title: scenario.title, samples: all, plots,
      notes: [
        `Healthy capacity ${capacity.healthy.toFixed(0)} req/s (two replicas, ${REPLICA_CPUS} CPU each, wrk on ${COMPUTE_PATH}); load ${levels.map((l) => `${Math.round(l * 100)} % = ${Math.round(l * capacity.healthy)} req/s`).join(', ')}, open loop, ${durationMs / 1000} s per peer after ${WARMUP_MS / 1000} s of warm-up.`,
        `Hot replica: stress-ng --cpu 4 inside it. Slow replica: stress-ng --cpu 1 --cpu-load ${slowCpuLoad()} inside it (about ${SLOW_OWN_WORK * 100} % of its limit). healthy-only balances (leastconn) over the two unloaded replicas only.`,
        `Two replicas: one healthy and the slow one behind every peer (healthy-only: the healthy one alone) at ${pairLevels.map((l) => `${Math.round(l * 100)} % = ${Math.round(l * capacity.perReplica)} req/s`).join(', ')} of one healthy replica's capacity (${capacity.perReplica.toFixed(0)} req/s).`,
        'Latency counts from the intended send time (no coordinated omission); errors are non-2xx answers and failed or timed-out (10 s) requests.',
      ],
    };
  }),
};

function slowCpuLoad(): number {
  return Math.max(1, Math.round(SLOW_OWN_WORK * REPLICA_CPUS * 100));
}

/** stress-ng in the hot and the slow replica of both flavours (the seed's and bso's replicas). */
export async function stressHotAndSlow(bed: Testbed, withSlow = true): Promise<Stress[]> {
  const stresses: Stress[] = [];
  for (const flavour of ['bso', 'seed'] as const) {
    stresses.push(await bed.stress(bed.replica(flavour, 'hot'), ['--cpu', '4']));
    if (withSlow) stresses.push(await bed.stress(bed.replica(flavour, 'slow'), ['--cpu', '1', '--cpu-load', String(slowCpuLoad())]));
  }
  return stresses;
}
