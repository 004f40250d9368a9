// Scenario 3 (issue #7): degrade then recover. Under steady open-loop load (40 % of the healthy
// capacity, spread over all four replicas), the hot replica gets stress-ng --cpu 4 for a while,
// then none. Measured per peer from the load generator's per-replica time series and HAProxy's
// stats (polled every 100 ms): time from the stress's start until the hot replica's share of new
// requests stays < 5 % (detect), time from the stress's end until HAProxy has it UP at its full
// weight again (restore: within 10 % of its median weight in the second before the event), and how
// often its state changed (flips, per event). Goals (issue #14): detect <= 1.0 s with bso's default
// intervals, restore <= 3 s, <= 2 flips per event.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateWord } from '../lib/haproxy-stats.js';
import { runOpenLoop } from '../lib/load-generator.js';
import { firstTimeBelow, shareSeries, slidingShareSeries, summarizeRecords } from '../lib/load-schedule.js';
import { peerFlavour } from '../lib/peer-configs.js';
import { COMPUTE_PATH, measureCapacity, peersForRun, waitAgentsIdle, withTestbed } from '../lib/shared-testbed.js';
import { renderLineChart, type Series } from '../lib/svg.js';
import type { HAProxyInstance, Stress, Testbed } from '../lib/testbed.js';
import type { BenchScenario, PeerName, Sample } from '../lib/types.js';
import { PEERS } from '../lib/types.js';

const LEAD_MS = 2000;
const DETECT_BELOW_PERCENT = 5;
const DETECT_HOLD_MS = 1000;
/** The share is taken over a sliding window: at 40 % load a 250 ms bucket holds ~20 requests, so one request was already 5 %. */
const DETECT_WINDOW_MS = 1000;
const DETECT_STEP_MS = 50;
const BUCKET_MS = 250;
const POLL_MS = 100;
const FULL_WEIGHT_SHARE = 0.9;

interface StatPoint { t: number; state: string; weight: number }

export const scenario: BenchScenario = {
  id: 3,
  title: 'Degrade then recover: detection, restoration, state flips',
  inQuick: true,
  run: (ctx) => withTestbed(ctx, async (bed) => {
    const capacity = await measureCapacity(ctx, bed);
    const stressMs = ctx.quick ? 5000 : 7000;
    const recoverMs = ctx.quick ? 7000 : 9000;
    const rate = Math.round(0.4 * capacity.healthy);
    // healthy-only leaves the hot replica out (the physical limit); every other peer has all four
    const haproxies = await bed.haproxiesFor(PEERS, 'not-hot');
    const values = new Map<string, number[]>();
    const push = (peer: PeerName, metric: string, v: number) => {
      const key = `${peer}|${metric}`;
      values.set(key, [...(values.get(key) ?? []), v]);
    };
    const firstRunSeries: Series[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      for (const peer of peersForRun(run)) {
        await waitAgentsIdle(bed, peerFlavour(peer));
        const m = await measureEvent(bed, haproxies.get(peer)!, peer, rate, stressMs, recoverMs);
        push(peer, 'detect', m.detectS);
        push(peer, 'restore (in rotation)', m.inRotationS);
        push(peer, 'restore (full weight)', m.fullWeightS);
        push(peer, 'state flips', m.flips);
        push(peer, 'p99 during the event', m.p99);
        push(peer, 'errors', m.errors);
        if (run === 0) firstRunSeries.push({ label: peer, points: m.series.map(([t, v]) => [t / 1000, v]) });
        ctx.log(`s3 run ${run + 1}: ${peer} detect ${fmt(m.detectS)} s, in rotation ${fmt(m.inRotationS)} s, full weight ${fmt(m.fullWeightS)} s, flips ${m.flips}, p99 ${m.p99.toFixed(0)} ms, errors ${m.errors}`);
      }
    }
    const spec: Array<[string, string, Partial<Sample>]> = [
      ['detect', 's', { better: 'lower', goal: '<= 1.0' }],
      ['restore (in rotation)', 's', { better: 'lower' }],
      ['restore (full weight)', 's', { better: 'lower', goal: '<= 3' }],
      ['state flips', 'count', { better: 'lower', goal: '<= 2' }],
      ['p99 during the event', 'ms', { better: 'lower' }],
      ['errors', 'count', { better: 'lower' }],
    ];
    const samples: Sample[] = spec.flatMap(([metric, unit, extra]) => PEERS.map((peer) => ({ peer, metric, unit, values: values.get(`${peer}|${metric}`) ?? [], ...extra })));
    const file = 's3-share-hot.svg';
    writeFileSync(join(ctx.resultsDir, file), renderLineChart({
      title: `S3 share of new requests on the hot replica (run 1, ${BUCKET_MS} ms buckets)`, xLabel: 's since the load began', yLabel: '% of requests', yMax: 50,
      series: firstRunSeries,
      markers: [{ x: LEAD_MS / 1000, label: 'stress on' }, { x: (LEAD_MS + stressMs) / 1000, label: 'stress off' }],
    }));
    return {
      id: 3, title: scenario.title, samples, plots: [{ file, title: 'S3 share on the hot replica over time' }],
      notes: [
        `${rate} req/s open loop (40 % of the healthy capacity) over all four replicas (healthy-only: the three others); stress-ng --cpu 4 in the hot replica from ${LEAD_MS / 1000} s for ${stressMs / 1000} s, then ${recoverMs / 1000} s to recover.`,
        `detect: from the stress's start until the hot replica's share of requests (by intended send time, over a sliding ${DETECT_WINDOW_MS / 1000} s window, every ${DETECT_STEP_MS} ms) falls below ${DETECT_BELOW_PERCENT} % and stays there for ${DETECT_HOLD_MS / 1000} s; "never" if it does not while the stress lasts. (Issue #7's run used ${BUCKET_MS} ms buckets, where a single request was 5 %: a replica weighted 1 of 300 failed it.)`,
        'restore: from the stress\'s end until HAProxy\'s stats show the hot server UP with weight > 0 (in rotation) and at >= 90 % of its median weight in the second before the event (full weight; HAProxy\'s slowstart ramps it up) for good; 0 when it never left. flips: changes of its state (UP, MAINT, DRAIN, DOWN) during the run.',
      ],
    };
  }),
};

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'never');

async function measureEvent(bed: Testbed, h: HAProxyInstance, peer: PeerName, rate: number, stressMs: number, recoverMs: number) {
  const hot = bed.replica(peerFlavour(peer), 'hot');
  const stats: StatPoint[] = [];
  let stress: Stress | undefined;
  let stressOn = Number.NaN;
  let stressOff = Number.NaN;
  let origin = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        const server = (await bed.serverStats(h)).find((s) => s.address === hot.ip);
        if (server && origin) stats.push({ t: performance.now() - origin, state: stateWord(server.status), weight: server.weight });
      } catch { /* a missed sample */ }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  let phase = 0;
  let starting: Promise<void> = Promise.resolve();
  const result = await runOpenLoop({
    host: h.ip, port: h.port, path: COMPUTE_PATH, ratePerSecond: rate, durationMs: LEAD_MS + stressMs + recoverMs,
    onTick: (elapsed) => {
      if (!origin) origin = performance.now() - elapsed;
      if (phase === 0 && elapsed >= LEAD_MS) {
        phase = 1;
        starting = bed.stress(hot, ['--cpu', '4']).then((s) => { stress = s; stressOn = performance.now() - origin; });
        starting.catch(() => undefined); // awaited below
      } else if (phase === 1 && elapsed >= LEAD_MS + stressMs && stress) {
        phase = 2;
        const s = stress;
        stressOff = performance.now() - origin;
        void s.stop();
      }
    },
  });
  polling = false;
  await poll;
  await starting;
  if (phase === 1 && stress) { stressOff = performance.now() - origin; await stress.stop(); }
  const series = shareSeries(result.records, hot.name, BUCKET_MS);
  const sliding = slidingShareSeries(result.records, hot.name, DETECT_WINDOW_MS, DETECT_STEP_MS);
  const detectMs = firstTimeBelow(sliding, DETECT_BELOW_PERCENT, stressOn, stressOff - DETECT_WINDOW_MS, DETECT_HOLD_MS) - stressOn;
  const before = stats.filter((p) => p.t < stressOn && p.t >= stressOn - 1000);
  const fullWeight = median(before.map((p) => p.weight));
  const after = stats.filter((p) => p.t >= stressOff);
  const during = stats.filter((p) => p.t >= stressOn && p.t < stressOff);
  const left = during.some((p) => p.state !== 'UP' || p.weight < fullWeight);
  const firstAfter = (ok: (p: StatPoint) => boolean) => {
    if (!left && after.every(ok)) return 0;
    const i = after.findIndex((p, k) => ok(p) && after.slice(k).every(ok));
    return i < 0 ? Number.NaN : Math.max(0, (after[i]!.t - stressOff) / 1000);
  };
  let flips = 0;
  for (let i = 1; i < stats.length; i++) if (stats[i]!.state !== stats[i - 1]!.state) flips++;
  const event = summarizeRecords(result.records.filter((r) => r.intendedMs >= stressOn && r.intendedMs < stressOff + 2000), stressMs + 2000);
  const all = summarizeRecords(result.records, LEAD_MS + stressMs + recoverMs);
  return {
    detectS: detectMs / 1000,
    inRotationS: firstAfter((p) => p.state === 'UP' && p.weight > 0),
    // within 10 % of the weight before the event: bso's proportional weight moves with small loads
    fullWeightS: firstAfter((p) => p.state === 'UP' && p.weight >= FULL_WEIGHT_SHARE * fullWeight),
    flips,
    p99: event.p99,
    errors: all.errors,
    series,
  };
}
