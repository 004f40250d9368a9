// One open-loop measurement per peer at a rate, peers alternating per run: what scenarios 0, 2, 9
// and 10 repeat at each load level. Each figure goes into a Sample keyed by peer and metric.
import { runOpenLoop } from './load-generator.js';
import { summarizeRecords } from './load-schedule.js';
import { peerFlavour, type Role } from './peer-configs.js';
import { COMPUTE_PATH, peersForRun, sleep } from './shared-testbed.js';
import type { HAProxyInstance, Testbed } from './testbed.js';
import type { BenchContext, PeerName, Sample } from './types.js';

export const WARMUP_MS = 1000;

/** Collects one value per run into Samples keyed by peer and metric. */
export class SampleBook {
  private readonly samples = new Map<string, Sample>();

  add(peer: PeerName, metric: string, unit: string, value: number, extra: Partial<Sample> = {}): void {
    const key = `${peer}|${metric}`;
    if (!this.samples.has(key)) this.samples.set(key, { peer, metric, unit, values: [], ...extra });
    this.samples.get(key)!.values.push(value);
  }

  get(peer: PeerName, metric: string): Sample | undefined {
    return this.samples.get(`${peer}|${metric}`);
  }

  all(): Sample[] {
    return [...this.samples.values()];
  }
}

export interface LevelRun {
  peers: readonly PeerName[];
  haproxies: Map<PeerName, HAProxyInstance>;
  run: number;
  rate: number;
  /** Appended to every metric: "40 %". */
  label: string;
  durationMs: number;
  /** The goal written beside the p99 row. */
  p99Goal: string;
  /** Replicas whose share is reported, by role ("share on slow"). */
  shareOf?: readonly Role[];
}

/** Measures every peer once at the level: p50, p99, p999, errors and the shares asked for. */
export async function measureLevel(ctx: BenchContext, bed: Testbed, book: SampleBook, level: LevelRun): Promise<void> {
  for (const peer of peersForRun(level.run, level.peers)) {
    const h = level.haproxies.get(peer)!;
    const result = await runOpenLoop({ host: h.ip, port: h.port, path: COMPUTE_PATH, ratePerSecond: level.rate, durationMs: level.durationMs + WARMUP_MS });
    const s = summarizeRecords(result.records.filter((r) => r.intendedMs >= WARMUP_MS), level.durationMs);
    const lower = { better: 'lower' as const };
    const at = (metric: string) => `${metric} @ ${level.label}`;
    book.add(peer, at('p50'), 'ms', s.p50, lower);
    book.add(peer, at('p99'), 'ms', s.p99, { ...lower, goal: level.p99Goal });
    book.add(peer, at('p999'), 'ms', s.p999, lower);
    book.add(peer, at('errors'), 'count', s.errors, { ...lower, goal: 'bso: 0' });
    const shares = (level.shareOf ?? []).map((role) => {
      const share = s.shares[bed.replica(peerFlavour(peer), role).name] ?? 0;
      book.add(peer, at(`share on ${role}`), '%', share, role === 'hot' ? lower : {});
      return `${role} ${share.toFixed(1)} %`;
    });
    ctx.log(`run ${level.run + 1} ${level.label} (${level.rate} req/s): ${peer} p99 ${s.p99.toFixed(1)} ms, errors ${s.errors}${shares.length ? `, ${shares.join(', ')}` : ''}`);
    await sleep(500);
  }
}
