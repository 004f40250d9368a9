// Scenario 9 (issue #14): heterogeneous capacity. Two of the four replicas get twice the CPU
// (docker update --cpus 0.5, the others keep 0.25): replicas on nodes of different sizes. The
// oracle is a static config weighted by the true capacities (weights 50, 50, 100, 100 over the
// runtime API, balance random(2), no agents). Open-loop load at 40 % and 80 % of the total
// capacity. Goal: bso's p99 <= 1.2x the oracle's at 80 %. The limits are put back afterwards.
import { measureLevel, SampleBook } from '../lib/level-runs.js';
import { REPLICA_CPUS } from '../lib/peer-configs.js';
import { COMPUTE_PATH, measureCapacity, sleep, waitAgentsIdle, withTestbed } from '../lib/shared-testbed.js';
import type { Replica } from '../lib/testbed.js';
import type { BenchScenario, PeerName } from '../lib/types.js';

const PEERS_HERE: readonly PeerName[] = ['oracle', 'roundrobin', 'leastconn', 'seed-agent', 'bso'];
const BIG_CPUS = 2 * REPLICA_CPUS;
/** The agents re-read their limits every 5 s (api/probe/probe.ts LIMITS_REFRESH_MS), then weigh again. */
const LIMITS_SEEN_MS = 7000;

export const scenario: BenchScenario = {
  id: 9,
  title: 'Heterogeneous capacity: two replicas with 0.25 CPU, two with 0.5',
  inQuick: false,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const big = (r: Replica) => r.role === 'hot' || r.role === 'slow';
    const total = capacity.perReplica * (2 + 2 * (BIG_CPUS / REPLICA_CPUS));
    const levels = [0.4, 0.8];
    const durationMs = ctx.quick ? 5000 : 8000;
    const haproxies = await bed.haproxiesFor(PEERS_HERE, 'all');
    const book = new SampleBook();
    const grown = bed.replicas.filter(big);
    try {
      await Promise.all(grown.map((r) => bed.setCpus(r, BIG_CPUS)));
      const oracle = haproxies.get('oracle')!;
      for (const r of bed.replicas.filter((x) => x.flavour === 'bso')) await bed.setWeight(oracle, r, big(r) ? 100 : 50);
      await sleep(LIMITS_SEEN_MS);
      await Promise.all([waitAgentsIdle(bed, 'bso'), waitAgentsIdle(bed, 'seed')]);
      for (let run = 0; run < ctx.runs; run++) {
        for (const level of levels) {
          await measureLevel(ctx, bed, book, {
            peers: PEERS_HERE, haproxies, run, rate: Math.round(level * total), label: `${Math.round(level * 100)} %`, durationMs,
            p99Goal: 'bso <= 1.2x oracle at 80 %', shareOf: ['healthy', 'hot'],
          });
        }
      }
    } finally {
      await Promise.all(grown.map((r) => bed.setCpus(r, REPLICA_CPUS)));
      await sleep(LIMITS_SEEN_MS);
    }
    const samples = book.all().map((s) => (s.metric.startsWith('share on hot') ? { ...s, metric: s.metric.replace('share on hot', 'share on a 0.5 CPU replica') }
      : s.metric.startsWith('share on healthy') ? { ...s, metric: s.metric.replace('share on healthy', 'share on a 0.25 CPU replica') } : s));
    return {
      id: 9, title: scenario.title, samples, plots: [],
      notes: [
        `Replicas 1-2 keep ${REPLICA_CPUS} CPU, replicas 3-4 get ${BIG_CPUS} (docker update); total capacity ${total.toFixed(0)} req/s (${capacity.perReplica.toFixed(0)} per ${REPLICA_CPUS} CPU, wrk on ${COMPUTE_PATH}); ${levels.map((l) => `${Math.round(l * 100)} % = ${Math.round(l * total)} req/s`).join(', ')}, open loop, ${durationMs / 1000} s per peer. The shares are of one replica of each size (an even split would be 25 %; by capacity, 16.7 % and 33.3 %).`,
        'oracle: bso\'s rendering without agents (random(2)), server weights 50 and 100 set once over the runtime API. bso\'s replicas know the spec\'s CPUs (BSO_REFERENCE_CPUS=0.25), so a 0.5 CPU replica reports 200 %.',
      ],
    };
  }),
};
