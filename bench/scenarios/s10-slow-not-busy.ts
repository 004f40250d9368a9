// Scenario 10 (issue #14): slow but not busy. One replica's requests each wait 25 ms without using
// CPU (bso-api's BSO_API_DELAY_FILE: a slow dependency), after a warm-up without the delay, so an
// agent that learns its replica's normal service time has seen it. CPU-based agents cannot see it.
// Open-loop load at 40 % and 80 % of the three other replicas' capacity. Goals: bso p99 <= 1.2x
// healthy-only (the three others, leastconn) and below leastconn.
import { measureLevel, SampleBook } from '../lib/level-runs.js';
import { runOpenLoop } from '../lib/load-generator.js';
import { REPLICA_CPUS } from '../lib/peer-configs.js';
import { COMPUTE_PATH, measureCapacity, sleep, waitAgentsIdle, withTestbed } from '../lib/shared-testbed.js';
import type { BenchScenario } from '../lib/types.js';
import { PEERS } from '../lib/types.js';

const DELAY_MS = 25;
const WARM_MS = 5000;

export const scenario: BenchScenario = {
  id: 10,
  title: `Slow but not busy: one replica ${DELAY_MS} ms slower without using CPU`,
  inQuick: false,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const others = 3 * capacity.perReplica;
    const levels = [0.4, 0.8];
    const durationMs = ctx.quick ? 5000 : 8000;
    const haproxies = await bed.haproxiesFor(PEERS, 'not-slow');
    const slow = bed.replicas.filter((r) => r.role === 'slow');
    const book = new SampleBook();
    await Promise.all([waitAgentsIdle(bed, 'bso'), waitAgentsIdle(bed, 'seed')]);
    // Every peer's replicas serve normally first (an agent learns what normal is).
    for (const peer of ['bso', 'seed-agent'] as const) {
      const h = haproxies.get(peer)!;
      await runOpenLoop({ host: h.ip, port: h.port, path: COMPUTE_PATH, ratePerSecond: Math.round(0.4 * others), durationMs: WARM_MS });
    }
    try {
      await Promise.all(slow.map((r) => bed.setDelay(r, DELAY_MS)));
      await sleep(2000);
      for (let run = 0; run < ctx.runs; run++) {
        for (const level of levels) {
          await measureLevel(ctx, bed, book, {
            peers: PEERS, haproxies, run, rate: Math.round(level * others), label: `${Math.round(level * 100)} %`, durationMs,
            p99Goal: 'bso <= 1.2x healthy-only, < leastconn', shareOf: ['slow'],
          });
        }
      }
    } finally {
      await Promise.all(slow.map((r) => bed.setDelay(r, 0)));
    }
    return {
      id: 10, title: scenario.title, samples: book.all(), plots: [],
      notes: [
        `The slow replica (one of four, ${REPLICA_CPUS} CPU each, nothing else running) delays each request by ${DELAY_MS} ms before handling it (BSO_API_DELAY_FILE), from after ${WARM_MS / 1000} s of normal traffic through bso and seed-agent. Load ${levels.map((l) => `${Math.round(l * 100)} % = ${Math.round(l * others)} req/s`).join(', ')} of the three other replicas' capacity (${others.toFixed(0)} req/s, wrk on ${COMPUTE_PATH}), open loop, ${durationMs / 1000} s per peer. healthy-only: leastconn over the three others.`,
        `A delay in the network (tc netem in the replica's namespace) would look the same to clients; the agent would not see it (it measures service time inside the app), and bso would then balance it as leastconn and random(2) do, by requests in flight.`,
      ],
    };
  }),
};
