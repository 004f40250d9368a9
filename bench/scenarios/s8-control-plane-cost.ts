// Scenario 8 (issue #7): control plane cost as the work grows. For 1, 10, 100 and 1,000 specs
// (and 10,000 servers: 10 specs x 1,000 replicas): rendering every config, `haproxy -c` of the
// configs merged into one file, the operator's memory, and reconciling an unchanged spec. The
// operator runs on an in-memory backend (bench/lib/cp-memory-backend.ts) in a child process of
// its own, so its memory is the operator's and no orchestrator's latency hides in the times.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slotsFor } from '../../haproxy/render/slots.js';
import { checkHAProxyConfig } from '../../haproxy/supervisor/haproxy-check.js';
import { cliEntry } from '../lib/cp-entry.js';
import type { ProbeResult } from '../lib/cp-operator-probe.js';
import { describeScaling, formatNumber, median } from '../lib/cp-stats.js';
import { renderBarChart } from '../lib/svg.js';
import type { BenchContext, BenchScenario, Sample, ScenarioReport } from '../lib/types.js';

const PROBE = fileURLToPath(new URL('../lib/cp-operator-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAPROXY = process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy';
const MIB = 2 ** 20;

interface Size { label: string; specs: number; replicas: number; servers: boolean }

function sizesFor(quick: boolean): Size[] {
  const specs = quick ? [1, 10, 100] : [1, 10, 100, 1000];
  const servers = quick ? { specs: 10, replicas: 100 } : { specs: 10, replicas: 1000 };
  return [
    ...specs.map((n) => ({ label: `${n} spec${n === 1 ? '' : 's'}`, specs: n, replicas: 2, servers: false })),
    { label: `${servers.specs * servers.replicas} servers`, ...servers, servers: true },
  ];
}

function runProbe(size: Size, mergedFile: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, String(size.specs), String(size.replicas), mergedFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = /BSO-PROBE (.*)/.exec(output)?.[1];
      if (code !== 0 || !line) return reject(new Error(`operator probe for ${size.label} failed (${code}): ${output.slice(-800)}`));
      resolve(JSON.parse(line) as ProbeResult);
    });
  });
}

async function timeCheck(file: string): Promise<number> {
  const started = performance.now();
  const result = await checkHAProxyConfig(file, { haproxy: HAPROXY, env: { PATH: process.env.PATH, BSO_STATS_USER: 'bench', BSO_STATS_PASSWORD: 'bench' }, timeoutMs: 120_000 });
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(`haproxy -c refused the merged config: ${result.messages.filter((m) => !m.startsWith('WARNING')).slice(0, 3).join('; ')}`);
  return ms;
}

interface Figure { metric: string; unit: string; goal?: string; pick: (p: ProbeResult, checkMs: number) => number }

const FIGURES: Figure[] = [
  { metric: 'render every config', unit: 'ms', pick: (p) => p.renderMs },
  { metric: 'haproxy -c of the merged configs', unit: 'ms', pick: (_p, checkMs) => checkMs },
  { metric: 'operator RSS', unit: 'MiB', pick: (p) => p.loaded.rss / MIB },
  { metric: 'operator heap growth', unit: 'MiB', pick: (p) => (p.loaded.heapUsed - p.baseline.heapUsed) / MIB },
  { metric: 'reconcile one unchanged spec', unit: 'ms', pick: (p) => p.unchangedOneMs },
  { metric: 'reconcile every spec, unchanged', unit: 'ms', pick: (p) => p.unchangedAllMs },
  { metric: 'first reconcile of every spec', unit: 'ms', pick: (p) => p.firstReconcileMs },
  { metric: 'writes for unchanged specs', unit: 'count', goal: '0', pick: (p) => p.unchangedWrites },
];

/** Wall time of one `bso ARGS` process, from spawn to exit (what a person waits for). */
function timeCli(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...cliEntry().args, ...args], { cwd: ROOT, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`bso ${args.join(' ')} exited ${code}`))));
  });
}

/** The CLI's start-up: --version and validate of a small file, 5 times each per run (issue #16: under 0.3 s). */
const CLI_STARTS: Array<{ metric: string; args: string[] }> = [
  { metric: 'bso --version', args: ['--version'] },
  { metric: 'bso validate -f examples/hello.yaml', args: ['validate', '-q', '-f', 'examples/hello.yaml'] },
];

export const scenario: BenchScenario = {
  id: 8,
  title: 'Control plane cost as the work grows',
  inQuick: true,
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const sizes = sizesFor(ctx.quick);
    const dir = mkdtempSync(join(tmpdir(), 'bso-bench-s8-'));
    const values = new Map<string, number[]>();
    const key = (size: Size, figure: Figure) => `${size.label}\u0000${figure.metric}`;
    const cliTimes = new Map<string, number[]>(CLI_STARTS.map((c) => [c.metric, []]));
    try {
      for (let run = 0; run < ctx.runs; run++) {
        for (const cli of CLI_STARTS) {
          const times: number[] = [];
          for (let i = 0; i < 5; i++) times.push(await timeCli(cli.args));
          cliTimes.get(cli.metric)!.push(median(times));
        }
        ctx.log(`s8 run ${run + 1}/${ctx.runs} CLI start (${cliEntry().from}): ${CLI_STARTS.map((c) => `${c.metric} ${cliTimes.get(c.metric)!.at(-1)!.toFixed(0)} ms`).join(', ')}`);
        for (const size of sizes) {
          const merged = join(dir, `merged-${size.specs}x${size.replicas}.cfg`);
          const probe = await runProbe(size, merged);
          const checkMs = await timeCheck(merged);
          rmSync(merged, { force: true });
          for (const figure of FIGURES) {
            const k = key(size, figure);
            values.set(k, [...(values.get(k) ?? []), figure.pick(probe, checkMs)]);
          }
          ctx.log(`s8 run ${run + 1}/${ctx.runs} ${size.label}: render ${probe.renderMs.toFixed(1)} ms, haproxy -c ${checkMs.toFixed(0)} ms, RSS ${(probe.loaded.rss / MIB).toFixed(1)} MiB, unchanged reconcile ${probe.unchangedOneMs.toFixed(2)} ms (all ${probe.unchangedAllMs.toFixed(0)} ms), ${probe.unchangedWrites} writes`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const samples: Sample[] = [
      ...CLI_STARTS.map((c) => ({ peer: 'bso CLI', metric: `${c.metric}: start to exit`, unit: 'ms', values: cliTimes.get(c.metric)!, goal: '< 300 ms', better: 'lower' as const })),
      ...sizes.flatMap((size) => FIGURES.map((figure) => ({
        peer: size.label, metric: figure.metric, unit: figure.unit, values: values.get(key(size, figure))!, goal: figure.goal, better: 'lower' as const,
      }))),
    ];
    const specSizes = sizes.filter((s) => !s.servers);
    const med = (size: Size, metric: string) => median(values.get(key(size, FIGURES.find((f) => f.metric === metric)!))!);
    const judged = ['render every config', 'haproxy -c of the merged configs', 'operator heap growth', 'first reconcile of every spec', 'reconcile every spec, unchanged'];
    const notes = [
      `CLI start: wall time from spawn to exit of \`bso --version\` and \`bso validate -q -f examples/hello.yaml\` (run from ${cliEntry().from === 'dist' ? 'dist/, as installed' : 'source through tsx (no build: slower than installed)'}; median of 5 per run). Each verb loads only what it needs (cli/fast-start.test.ts).`,
      'The operator runs on an in-memory backend (bench/lib/cp-memory-backend.ts, indexed: observing one service costs the same with 1 or 1,000 specs) in its own Node process (tsx loaded): no Swarm or Kubernetes API latency in the times, and the memory is the operator\'s alone. "operator RSS" includes Node\'s and tsx\'s baseline; "heap growth" is what the specs added (after GC). Every spec has 2 replicas reported UP by a supervisor.',
      'haproxy -c checks one file holding every service\'s frontend and backend (as one shared HAProxy would); bso runs one HAProxy per spec, so each supervisor only ever checks its own 1-spec config.',
      ...judged.map((metric) => `${metric}: ${describeScaling(specSizes.map((s) => ({ size: s.specs, cost: med(s, metric) })), FIGURES.find((f) => f.metric === metric)!.unit, 2).summary}`),
      `reconcile one unchanged spec, by number of specs: ${specSizes.map((s) => `${s.specs}: ${formatNumber(med(s, 'reconcile one unchanged spec'))} ms`).join(', ')} (constant = a full resync grows linearly; growing = a resync grows quadratically).`,
    ];
    const servers = sizes.find((s) => s.servers)!;
    notes.push(`${servers.label} (${servers.specs} specs x ${servers.replicas} replicas, ${servers.specs} x ${slotsFor(servers.replicas)} server slots): render ${formatNumber(med(servers, 'render every config'))} ms (a server-template is one line whatever the replicas), haproxy -c ${formatNumber(med(servers, 'haproxy -c of the merged configs'))} ms, one unchanged reconcile ${formatNumber(med(servers, 'reconcile one unchanged spec'))} ms (the status and the per-server metrics grow with the replicas).`);

    const plotted = FIGURES.filter((f) => f.unit === 'ms');
    const svg = renderBarChart({
      title: 'Control plane cost by size (medians, log scale)', unit: 'ms', logScale: true,
      groups: sizes.map((size) => ({
        label: size.label,
        bars: plotted.map((figure) => {
          const v = values.get(key(size, figure))!;
          return { label: figure.metric, median: median(v), min: Math.min(...v), max: Math.max(...v) };
        }),
      })),
    });
    mkdirSync(ctx.resultsDir, { recursive: true });
    writeFileSync(join(ctx.resultsDir, 's8-control-plane-cost.svg'), svg);
    return { id: 8, title: scenario.title, samples, plots: [{ file: 's8-control-plane-cost.svg', title: 'Control plane cost by size' }], notes };
  },
};
