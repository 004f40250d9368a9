// The contract between the benchmark runner (bench/run-bench.ts) and its scenarios
// (bench/scenarios/sN-*.ts). A scenario measures; the runner repeats peers alternating, takes
// medians and spread, and writes the table and plots. Nothing here judges: a person does.

/** The load balancing setups compared side by side (issue #7). */
export type PeerName =
  | 'healthy-only'   // only unloaded replicas in the backend: the physical limit
  | 'roundrobin'     // roundrobin with health checks, no agent (the seed without agents)
  | 'leastconn'      // leastconn with health checks, no agent
  | 'seed-agent'     // the seed's agent: binary maint at >= 80 %, ready 100 % at <= 60 %
  | 'bso'            // bso with its defaults
  | 'oracle';        // scenario 9: a static config weighted by the replicas' true capacities

export const PEERS: readonly PeerName[] = ['healthy-only', 'roundrobin', 'leastconn', 'seed-agent', 'bso'];

export interface BenchContext {
  /** --quick: the 5-minute subset (fewer runs, shorter phases). */
  quick: boolean;
  /** Repetitions per peer (>= 3 in a full run); peers alternate within each repetition. */
  runs: number;
  /** Where this run writes: bench/results/<stamp>/ (plots go here, raw data under raw/). */
  resultsDir: string;
  log: (line: string) => void;
}

/** One figure for one peer (or setting), measured once per run. */
export interface Sample {
  /** A peer name, or another label where peers do not apply ("bso", "1000 specs", ...). */
  peer: string;
  /** What was measured: "p99 latency", "errors", "share on hot replica". */
  metric: string;
  /** "ms", "s", "%", "req/s", "MiB", "count", "ratio". */
  unit: string;
  /** One value per run, in run order. */
  values: number[];
  /** The goal for this figure, as text ("<= 1.2x healthy-only"), if any. */
  goal?: string;
  /** Which direction is better, for the table's marks. */
  better?: 'lower' | 'higher';
}

export interface Plot {
  /** File name relative to resultsDir, e.g. "s2-p99.svg". */
  file: string;
  title: string;
}

export interface ScenarioReport {
  id: number;
  title: string;
  samples: Sample[];
  plots: Plot[];
  /** Conditions worth printing under the table (load levels, capacities, caveats). */
  notes: string[];
}

export interface BenchScenario {
  id: number;
  title: string;
  /** Part of the --quick subset. */
  inQuick: boolean;
  run(ctx: BenchContext): Promise<ScenarioReport>;
}
