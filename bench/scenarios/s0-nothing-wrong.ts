// Scenario 0 (issue #14): nothing wrong. Four healthy replicas, no stress, open-loop load at 40 %
// and 80 % of their capacity. What bso's agents and weights cost when there is nothing to avoid:
// goal, bso's p99 within 5 % of the best peer's. (healthy-only would be leastconn over the same
// four replicas, so it is not run.)
import { measureLevel, SampleBook } from '../lib/level-runs.js';
import { REPLICA_CPUS } from '../lib/peer-configs.js';
import { COMPUTE_PATH, measureCapacity, sleep, waitAgentsIdle, withTestbed } from '../lib/shared-testbed.js';
import type { BenchScenario, PeerName } from '../lib/types.js';

const PEERS_HERE: readonly PeerName[] = ['roundrobin', 'leastconn', 'seed-agent', 'bso'];

export const scenario: BenchScenario = {
  id: 0,
  title: 'Nothing wrong: four healthy replicas at 40 % and 80 % of their capacity',
  inQuick: true,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const total = 4 * capacity.perReplica;
    const levels = ctx.quick ? [0.8] : [0.4, 0.8];
    const durationMs = ctx.quick ? 5000 : 8000;
    const haproxies = await bed.haproxiesFor(PEERS_HERE, 'all');
    const book = new SampleBook();
    await Promise.all([waitAgentsIdle(bed, 'bso'), waitAgentsIdle(bed, 'seed')]);
    await sleep(1000);
    for (let run = 0; run < ctx.runs; run++) {
      for (const level of levels) {
        await measureLevel(ctx, bed, book, {
          peers: PEERS_HERE, haproxies, run, rate: Math.round(level * total), label: `${Math.round(level * 100)} %`, durationMs,
          p99Goal: 'bso within 5 % of the best',
        });
      }
    }
    return {
      id: 0, title: scenario.title, samples: book.all(), plots: [],
      notes: [
        `Four replicas (${REPLICA_CPUS} CPU each), nothing else running in them; capacity ${total.toFixed(0)} req/s (${capacity.perReplica.toFixed(0)} per replica, wrk on ${COMPUTE_PATH}); ${levels.map((l) => `${Math.round(l * 100)} % = ${Math.round(l * total)} req/s`).join(', ')}, open loop, ${durationMs / 1000} s per peer.`,
      ],
    };
  }),
};
