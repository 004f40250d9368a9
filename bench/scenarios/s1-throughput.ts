// Scenario 1 (issue #7): throughput through HAProxy against straight to the replicas (goal >= 0.95
// of direct). wrk (closed loop, the ceiling) on /compute: "direct" is one wrk per replica, one
// replica after the other, summed (run at once, four wrk processes competed for the two cores and
// measured less than one wrk through HAProxy; alone, each replica gets its full CPU limit, so the
// sum is an upper bound); each peer is one wrk through its HAProxy with as many connections in total. No replica
// is loaded, so healthy-only balances over all four. Between measurements the agents of the next
// peer's replicas must be back at ready 100 % (a saturated replica's agent says maint).
import { peerFlavour } from '../lib/peer-configs.js';
import { COMPUTE_PATH, peersForRun, urlOf, waitAgentsIdle, withTestbed } from '../lib/shared-testbed.js';
import { renderBarChart } from '../lib/svg.js';
import { summarize } from '../lib/stats.js';
import type { BenchScenario, Sample, ScenarioReport } from '../lib/types.js';
import { PEERS } from '../lib/types.js';
import { runWrk } from '../lib/wrk.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CONNECTIONS_PER_REPLICA = 4;

export const scenario: BenchScenario = {
  id: 1,
  title: 'Throughput through HAProxy vs directly to the replicas',
  inQuick: true,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const seconds = ctx.quick ? 2 : 5;
    const replicas = bed.replicas.filter((r) => r.flavour === 'bso');
    const haproxies = await bed.haproxiesFor(PEERS, 'all');
    const direct: number[] = [];
    const goodput = new Map<string, number[]>(PEERS.map((p) => [p, []]));
    const ratio = new Map<string, number[]>(PEERS.map((p) => [p, []]));
    const errors = new Map<string, number[]>(PEERS.map((p) => [p, []]));
    for (let run = 0; run < ctx.runs; run++) {
      await waitAgentsIdle(bed, 'bso');
      const each = [];
      for (const r of replicas) each.push(await runWrk(urlOf(r), { connections: CONNECTIONS_PER_REPLICA, seconds }));
      const directGoodput = each.reduce((sum, r) => sum + r.goodput, 0);
      direct.push(directGoodput);
      ctx.log(`s1 run ${run + 1}: direct ${directGoodput.toFixed(0)} req/s`);
      for (const peer of peersForRun(run)) {
        await waitAgentsIdle(bed, peerFlavour(peer));
        const h = haproxies.get(peer)!;
        const r = await runWrk(`http://${h.ip}:${h.port}${COMPUTE_PATH}`, { connections: CONNECTIONS_PER_REPLICA * replicas.length, seconds });
        goodput.get(peer)!.push(r.goodput);
        ratio.get(peer)!.push(r.goodput / directGoodput);
        errors.get(peer)!.push(r.errors);
        ctx.log(`s1 run ${run + 1}: ${peer} ${r.goodput.toFixed(0)} req/s (${(r.goodput / directGoodput).toFixed(2)} of direct), ${r.errors} errors`);
      }
    }
    const samples: Sample[] = [
      { peer: 'direct', metric: 'goodput', unit: 'req/s', values: direct, better: 'higher' },
      ...PEERS.map((peer): Sample => ({ peer, metric: 'goodput', unit: 'req/s', values: goodput.get(peer)!, better: 'higher' })),
      ...PEERS.map((peer): Sample => ({ peer, metric: 'goodput / direct', unit: 'ratio', values: ratio.get(peer)!, better: 'higher', goal: '>= 0.95' })),
      ...PEERS.map((peer): Sample => ({ peer, metric: 'errors', unit: 'count', values: errors.get(peer)!, better: 'lower' })),
    ];
    const file = 's1-throughput.svg';
    const bar = (label: string, values: number[]) => ({ label, ...summarize(values) });
    writeFileSync(join(ctx.resultsDir, file), renderBarChart({
      title: 'S1 goodput: direct vs through HAProxy (median, min..max)', unit: 'req/s',
      groups: [{ label: `${COMPUTE_PATH}, ${CONNECTIONS_PER_REPLICA * replicas.length} connections`, bars: [bar('direct', direct), ...PEERS.map((p) => bar(p, goodput.get(p)!))] }],
    }));
    const report: ScenarioReport = {
      id: 1, title: scenario.title, samples, plots: [{ file, title: 'S1 goodput' }],
      notes: [
        `wrk, ${seconds} s per measurement, ${CONNECTIONS_PER_REPLICA} connections per replica (direct: one wrk per replica, one replica at a time, summed: an upper bound; peers: one wrk with ${CONNECTIONS_PER_REPLICA * replicas.length}).`,
        'Closed loop at saturation: every replica runs at its CPU limit, so agents that report CPU see >= 80 % and answer maint (a ceiling, not a normal operating point).',
      ],
    };
    return report;
  }),
};

