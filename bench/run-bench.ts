// npm run bench: every scenario of bench/scenarios/s<N>-*.ts (each exports `scenario`), every peer,
// repeated; writes bench/results/<UTC stamp>/{results.md,results.json,*.svg}, copies it to
// bench/results/latest/, and after a full run puts the table into BENCHMARKS.md. Options: --help.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_HELP, parseBenchArgs, scenarioFiles, utcStamp } from './lib/bench-args.js';
import { describeMachine, renderMachineMarkdown } from './lib/machine.js';
import { renderReportsMarkdown, replaceBetweenMarkers } from './lib/markdown.js';
import { closeSharedTestbed } from './lib/shared-testbed.js';
import { summarize } from './lib/stats.js';
import type { BenchContext, BenchScenario, ScenarioReport } from './lib/types.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH_DIR, '..');
export const MARK_START = '<!-- bench:results:start -->';
export const MARK_END = '<!-- bench:results:end -->';

async function main(): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return 2;
  }
  if (args.help) {
    console.log(BENCH_HELP);
    return 0;
  }
  const available = await loadScenarios();
  const unknown = (args.only ?? []).filter((id) => !available.some((s) => s.id === id));
  if (unknown.length > 0) {
    console.error(`bench: no scenario ${unknown.join(', ')} (have ${available.map((s) => s.id).join(', ')})`);
    return 2;
  }
  const selected = available.filter((s) => (args.only ? args.only.includes(s.id) : !args.quick || s.inQuick));
  const full = !args.quick && !args.only;
  const started = new Date();
  const stamp = utcStamp(started);
  const resultsDir = join(BENCH_DIR, 'results', stamp);
  mkdirSync(join(resultsDir, 'raw'), { recursive: true });
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const ctx: BenchContext = { quick: args.quick, runs: args.runs, resultsDir, log };
  log(`bench ${stamp}: scenarios ${selected.map((s) => s.id).join(', ')}, ${args.runs} run(s)${args.quick ? ', quick' : ''}`);
  const machine = await describeMachine();

  const reports: ScenarioReport[] = [];
  let failed = false;
  for (const scenario of selected) {
    const t0 = Date.now();
    log(`scenario ${scenario.id}: ${scenario.title}`);
    try {
      reports.push(await scenario.run(ctx));
    } catch (error) {
      failed = true;
      log(`scenario ${scenario.id} FAILED: ${(error as Error).stack ?? error}`);
      reports.push({ id: scenario.id, title: scenario.title, samples: [], plots: [], notes: [`FAILED: ${(error as Error).message}`] });
    }
    log(`scenario ${scenario.id} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    // Scenarios 1-4 share a testbed; close it once none of them is left.
    if (!selected.some((s) => s.id > scenario.id && s.id <= 4)) await closeSharedTestbed().catch((e) => log(`testbed cleanup: ${e}`));
  }
  const durationS = Math.round((Date.now() - started.getTime()) / 1000);

  const header = [
    `Run ${stamp} (${durationS} s): ${args.quick ? 'quick, ' : ''}${args.runs} run(s) per peer, peers alternating within each run; each cell is the median over the runs with min..max in brackets; bold = best median of the row.`,
    '',
    renderMachineMarkdown(machine),
  ].join('\n');
  const table = renderReportsMarkdown(reports);
  writeFileSync(join(resultsDir, 'results.md'), `# Benchmark results\n\n${header}\n\n${table}`);
  writeFileSync(join(resultsDir, 'results.json'), `${JSON.stringify({
    stamp, durationS, options: args, machine,
    reports: reports.map((r) => ({ ...r, samples: r.samples.map((s) => ({ ...s, summary: summarize(s.values) })) })),
  }, null, 2)}\n`);
  const latest = join(BENCH_DIR, 'results', 'latest');
  rmSync(latest, { recursive: true, force: true });
  cpSync(resultsDir, latest, { recursive: true });
  log(`wrote ${resultsDir} and bench/results/latest/`);

  if (full) {
    const file = join(ROOT, 'BENCHMARKS.md');
    if (existsSync(file)) {
      const linked = renderReportsMarkdown(reports, `bench/results/${stamp}/`);
      writeFileSync(file, replaceBetweenMarkers(readFileSync(file, 'utf8'), MARK_START, MARK_END, `${header}\n\n${linked}`));
      log('BENCHMARKS.md: table and plots replaced');
    }
  }
  console.log(`\n${table}`);
  return failed ? 1 : 0;
}

async function loadScenarios(): Promise<BenchScenario[]> {
  const dir = join(BENCH_DIR, 'scenarios');
  const scenarios: BenchScenario[] = [];
  for (const [id, file] of scenarioFiles(readdirSync(dir))) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { scenario?: BenchScenario };
    if (!module.scenario) throw new Error(`${file} exports no scenario`);
    if (module.scenario.id !== id) throw new Error(`${file} says it is scenario ${module.scenario.id}`);
    scenarios.push(module.scenario);
  }
  return scenarios;
}

const stop = async (signal: string) => {
  console.error(`bench: ${signal}, removing the testbed`);
  await closeSharedTestbed().catch(() => undefined);
  process.exit(130);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));

process.exitCode = await main().catch(async (error) => {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  await closeSharedTestbed().catch(() => undefined);
  return 1;
});
