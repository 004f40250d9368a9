// Pure: the command line of `npm run bench` (bench/run-bench.ts).

export interface BenchArgs {
  quick: boolean;
  /** Scenario ids to run; undefined = all (or the --quick subset). */
  only?: number[];
  runs: number;
  help: boolean;
}

export const BENCH_HELP = `npm run bench [-- options]   (bash bench/bench.sh: scripts/setup.sh, then bench/run-bench.ts)

Runs every benchmark scenario with every peer (healthy-only, roundrobin, leastconn, seed-agent,
bso) in the same run on this machine, peers alternating within each repetition, and writes
bench/results/<UTC stamp>/ (results.md, results.json, *.svg), copied to bench/results/latest/.
A full run (no --quick, no --only) also puts the table into BENCHMARKS.md.

Options:
  --quick        the short subset (scenarios marked inQuick, 1 run, shorter phases): ~5 min
  --only 1,2,4   only these scenarios (numbers of bench/scenarios/s<N>-*.ts)
  --runs N       repetitions per peer (default 3; 1 with --quick); medians and min..max over them
  --help         this text

Docker: scenarios take /tmp/bso-docker.lock themselves; if you already hold it
(flock /tmp/bso-docker.lock npm run bench), set BSO_DOCKER_LOCK_HELD=1.
Scenarios: 0 nothing wrong, 1 throughput vs direct, 2 hot + slow replica (four, then two replicas),
3 degrade/recover, 4 overload, 5-8 (config changes, scale-out, agent and idle cost, control
plane), 9 heterogeneous capacity, 10 slow but not busy: see BENCHMARKS.md.`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let only: number[] | undefined;
  let runs: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      only = value().split(',').map((s) => Number(s.trim()));
      if (only.length === 0 || only.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('--only takes scenario numbers, e.g. --only 0,2,4');
    } else if (arg === '--runs' || arg.startsWith('--runs=')) {
      runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs takes a whole number from 1 to 50');
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  return { quick, only, runs: runs ?? (quick ? 1 : 3), help };
}

/** Scenario files are bench/scenarios/s<N>-<name>.ts; returns [N, file] sorted by N. */
export function scenarioFiles(names: readonly string[]): Array<[number, string]> {
  return names
    .map((name) => [/^s(\d+)-[a-z0-9-]+\.ts$/.exec(name), name] as const)
    .filter(([m, name]) => m !== null && !name.endsWith('.test.ts'))
    .map(([m, name]): [number, string] => [Number(m![1]), name])
    .sort((a, b) => a[0] - b[0]);
}

/** 2026-11-27T08:40:05.123Z -> 2026-11-27T08-40-05Z (a folder name on every file system). */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}
