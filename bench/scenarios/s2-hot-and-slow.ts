// Scenario 2 (issue #7): one hot replica (stress-ng --cpu 4 inside it, the seed's CPU stress) and
// one replica slow from its own work (a stress-ng worker using about half of its CPU limit, below
// the seed's 80 % threshold), open-loop load at 40 % and 80 % of the two healthy replicas'
// capacity. Per peer: p50/p99/p999 from the intended send time, errors, share of requests per
// replica. The stress runs in both replica flavours for the whole scenario, so each peer meets
// the same steady state. Goal for bso: p99 within 1.2x of healthy-only, better than leastconn,
// 5x better than roundrobin, zero errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOpenLoop } from '../lib/load-generator.js';
import { summarizeRecords } from '../lib/load-schedule.js';
import { REPLICA_CPUS, peerFlavour } from '../lib/peer-configs.js';
import { COMPUTE_PATH, measureCapacity, peersForRun, sleep, withTestbed } from '../lib/shared-testbed.js';
import { summarize } from '../lib/stats.js';
import { renderBarChart } from '../lib/svg.js';
import type { Stress, Testbed } from '../lib/testbed.js';
import type { BenchScenario, PeerName, Sample } from '../lib/types.js';
import { PEERS } from '../lib/types.js';

/** The slow replica's own work: one stress-ng worker at this share of its CPU limit. */
const SLOW_OWN_WORK = 0.5;
const WARMUP_MS = 1000;

export const scenario: BenchScenario = {
  id: 2,
  title: 'One hot and one slow replica at 40 % and 80 % of healthy capacity',
  inQuick: true,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const levels = ctx.quick ? [0.8] : [0.4, 0.8];
    const durationMs = ctx.quick ? 5000 : 8000;
    const haproxies = await bed.haproxiesFor(PEERS, 'healthy');
    const stresses = await stressHotAndSlow(bed);
    const samples = new Map<string, Sample>();
    const add = (peer: PeerName, metric: string, unit: string, value: number, extra: Partial<Sample> = {}) => {
      const key = `${peer}|${metric}`;
      if (!samples.has(key)) samples.set(key, { peer, metric, unit, values: [], ...extra });
      samples.get(key)!.values.push(value);
    };
    try {
      await sleep(6000); // the agents see the stress (smoothing 1 s, agent-inter 2 s)
      for (let run = 0; run < ctx.runs; run++) {
        for (const level of levels) {
          const rate = Math.round(level * capacity.healthy);
          const pct = `${Math.round(level * 100)} %`;
          for (const peer of peersForRun(run)) {
            const h = haproxies.get(peer)!;
            const hot = bed.replica(peerFlavour(peer), 'hot').name;
            const slow = bed.replica(peerFlavour(peer), 'slow').name;
            const result = await runOpenLoop({ host: h.ip, port: h.port, path: COMPUTE_PATH, ratePerSecond: rate, durationMs: durationMs + WARMUP_MS });
            const s = summarizeRecords(result.records.filter((r) => r.intendedMs >= WARMUP_MS), durationMs);
            const lower = { better: 'lower' as const };
            add(peer, `p50 @ ${pct}`, 'ms', s.p50, lower);
            add(peer, `p99 @ ${pct}`, 'ms', s.p99, { ...lower, goal: 'bso <= 1.2x healthy-only, < leastconn, <= roundrobin / 5' });
            add(peer, `p999 @ ${pct}`, 'ms', s.p999, lower);
            add(peer, `errors @ ${pct}`, 'count', s.errors, { ...lower, goal: 'bso: 0' });
            add(peer, `share on hot @ ${pct}`, '%', s.shares[hot] ?? 0, lower);
            add(peer, `share on slow @ ${pct}`, '%', s.shares[slow] ?? 0);
            ctx.log(`s2 run ${run + 1} ${pct} (${rate} req/s): ${peer} p99 ${s.p99.toFixed(1)} ms, errors ${s.errors}, hot ${(s.shares[hot] ?? 0).toFixed(1)} %, slow ${(s.shares[slow] ?? 0).toFixed(1)} %`);
            await sleep(500);
          }
        }
      }
    } finally {
      await Promise.all(stresses.map((s) => s.stop()));
    }
    const all = [...samples.values()];
    const plots = levels.length > 0 ? [{ file: 's2-p99.svg', title: 'S2 p99 latency by load' }, { file: 's2-share-hot.svg', title: 'S2 share of requests on the hot replica' }] : [];
    const chart = (metric: string, unit: string, title: string, logScale: boolean) => renderBarChart({
      title, unit, logScale,
      groups: levels.map((level) => {
        const pct = `${Math.round(level * 100)} %`;
        return { label: `${pct} of healthy capacity`, bars: PEERS.map((peer) => ({ label: peer, ...summarize(samples.get(`${peer}|${metric} @ ${pct}`)?.values ?? []) })) };
      }),
    });
    writeFileSync(join(ctx.resultsDir, 's2-p99.svg'), chart('p99', 'ms (log)', 'S2 p99 latency, hot + slow replica (median, min..max)', true));
    writeFileSync(join(ctx.resultsDir, 's2-share-hot.svg'), chart('share on hot', '%', 'S2 share of requests answered by the hot replica', false));
    return {
      id: 2, title: scenario.title, samples: all, plots,
      notes: [
        `Healthy capacity ${capacity.healthy.toFixed(0)} req/s (two replicas, ${REPLICA_CPUS} CPU each, wrk on ${COMPUTE_PATH}); load ${levels.map((l) => `${Math.round(l * 100)} % = ${Math.round(l * capacity.healthy)} req/s`).join(', ')}, open loop, ${durationMs / 1000} s per peer after ${WARMUP_MS / 1000} s of warm-up.`,
        `Hot replica: stress-ng --cpu 4 inside it. Slow replica: stress-ng --cpu 1 --cpu-load ${slowCpuLoad()} inside it (about ${SLOW_OWN_WORK * 100} % of its limit). healthy-only balances over the two unloaded replicas only.`,
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
