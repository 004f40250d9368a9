// Scenario 4 (issue #7): overload. The hot replica is stressed (stress-ng --cpu 4) for the whole
// scenario; the offered load is 1.2x what the three others can serve. Measured per peer: goodput
// (successful answers per second, and as a share of the remaining capacity), how much was
// refused, and how fast: the latency of refused requests and the p99 of all, from the intended
// send time. A bounded queue refuses the excess quickly; an unbounded one makes everyone wait.
// Goals (issue #14): refused requests answered within 1 s (p99), served p99 <= 1 s, goodput >= 95 %
// of the remaining healthy capacity.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completedRate, isSuccess, summarizeRecords } from '../lib/load-schedule.js';
import { runOpenLoop } from '../lib/load-generator.js';
import { COMPUTE_PATH, measureCapacity, peersForRun, sleep, withTestbed } from '../lib/shared-testbed.js';
import { percentileOfSorted, sortNumbers, summarize } from '../lib/stats.js';
import { renderBarChart } from '../lib/svg.js';
import type { BenchScenario, PeerName, Sample } from '../lib/types.js';
import { PEERS } from '../lib/types.js';
import { stressHotAndSlow } from './s2-hot-and-slow.js';

const OVERLOAD = 1.2;
const WARMUP_MS = 1000;

export const scenario: BenchScenario = {
  id: 4,
  title: 'Overload: 1.2x the remaining healthy capacity',
  inQuick: true,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const remaining = 3 * capacity.perReplica;
    const rate = Math.round(OVERLOAD * remaining);
    // long enough for the queues to fill: with bso's defaults the excess waits up to timeout queue (1 s) before a 503
    const durationMs = ctx.quick ? 6000 : 12_000;
    const haproxies = await bed.haproxiesFor(PEERS, 'not-hot');
    const stresses = await stressHotAndSlow(bed, false);
    const values = new Map<string, number[]>();
    const push = (peer: PeerName, metric: string, v: number) => {
      const key = `${peer}|${metric}`;
      values.set(key, [...(values.get(key) ?? []), v]);
    };
    try {
      await sleep(6000);
      for (let run = 0; run < ctx.runs; run++) {
        for (const peer of peersForRun(run)) {
          const h = haproxies.get(peer)!;
          const result = await runOpenLoop({ host: h.ip, port: h.port, path: COMPUTE_PATH, ratePerSecond: rate, durationMs: durationMs + WARMUP_MS, timeoutMs: 15_000, maxSockets: 2048 });
          const records = result.records.filter((r) => r.intendedMs >= WARMUP_MS);
          const s = summarizeRecords(records, durationMs);
          const refused = sortNumbers(records.filter((r) => !isSuccess(r)).map((r) => r.latencyMs));
          const served = sortNumbers(records.filter(isSuccess).map((r) => r.latencyMs));
          // served per second by completion time: what the backend really got through
          const goodput = completedRate(result.records, WARMUP_MS, WARMUP_MS + durationMs);
          push(peer, 'goodput', goodput);
          push(peer, 'goodput / remaining capacity', (100 * goodput) / remaining);
          push(peer, 'refused', s.errorPercent);
          push(peer, 'time to refuse p50', percentileOfSorted(refused, 0.5));
          push(peer, 'time to refuse p99', percentileOfSorted(refused, 0.99));
          push(peer, 'served p99', percentileOfSorted(served, 0.99));
          push(peer, 'p99 of all', s.p99);
          ctx.log(`s4 run ${run + 1} (${rate} req/s): ${peer} goodput ${goodput.toFixed(0)} req/s, refused ${s.errorPercent.toFixed(1)} % (p99 ${percentileOfSorted(refused, 0.99).toFixed(0)} ms), served p99 ${percentileOfSorted(served, 0.99).toFixed(0)} ms`);
          await sleep(2000); // queues drain before the next peer
        }
      }
    } finally {
      await Promise.all(stresses.map((s) => s.stop()));
    }
    const spec: Array<[string, string, Partial<Sample>]> = [
      ['goodput', 'req/s', { better: 'higher' }],
      ['goodput / remaining capacity', '%', { better: 'higher', goal: '>= 95' }],
      ['refused', '%', {}],
      ['time to refuse p50', 'ms', { better: 'lower' }],
      ['time to refuse p99', 'ms', { better: 'lower', goal: '<= 1000' }],
      ['served p99', 'ms', { better: 'lower', goal: '<= 1000' }],
      ['p99 of all', 'ms', { better: 'lower' }],
    ];
    const samples: Sample[] = spec.flatMap(([metric, unit, extra]) => PEERS.map((peer) => ({ peer, metric, unit, values: values.get(`${peer}|${metric}`) ?? [], ...extra })));
    const bars = (metric: string) => PEERS.map((peer) => ({ label: peer, ...summarize(values.get(`${peer}|${metric}`) ?? []) }));
    writeFileSync(join(ctx.resultsDir, 's4-goodput.svg'), renderBarChart({ title: `S4 goodput at ${OVERLOAD}x the remaining capacity (${Math.round(remaining)} req/s)`, unit: 'req/s', groups: [{ label: `${rate} req/s offered`, bars: bars('goodput') }] }));
    writeFileSync(join(ctx.resultsDir, 's4-latency.svg'), renderBarChart({
      title: 'S4 latency under overload (median of runs, min..max)', unit: 'ms (log)', logScale: true,
      groups: [{ label: 'time to refuse p99', bars: bars('time to refuse p99') }, { label: 'served p99', bars: bars('served p99') }],
    }));
    return {
      id: 4, title: scenario.title, samples,
      plots: [{ file: 's4-goodput.svg', title: 'S4 goodput' }, { file: 's4-latency.svg', title: 'S4 latency of refused and served requests' }],
      notes: [
        `Remaining capacity: three unloaded replicas x ${capacity.perReplica.toFixed(0)} req/s = ${remaining.toFixed(0)} req/s; offered ${rate} req/s open loop for ${durationMs / 1000} s per peer after ${WARMUP_MS / 1000} s of warm-up; the hot replica runs stress-ng --cpu 4 throughout; healthy-only balances over the three unloaded replicas.`,
        'goodput: successful answers per second that completed within the window (after the warm-up), whenever sent. refused: non-2xx answers and requests without an answer within 15 s; "time to refuse" is their latency from the intended send time ("never": nothing was refused).',
      ],
    };
  }),
};
