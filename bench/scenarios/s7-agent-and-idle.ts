// Scenario 7 (issue #7): the agent's reply latency while its replica is overloaded (goal p99 < 50
// ms), and the CPU of bso's own processes at idle (goal < 1 % of a core). bso-api runs in a real
// cgroup with a CPU quota (a container without Docker) that stress-ng saturates; agent queries
// are made as HAProxy makes them. Idle CPU comes from /proc/<pid>/stat over a window.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRealCgroup, type RealCgroup } from '../lib/loopback/real-cgroup.js';
import { askAgent, spawnApi, type SpawnedApi } from '../lib/loopback/spawn-api.js';
import { entryFor } from '../lib/cp-entry.js';
import { startIdleStack, type IdleStack } from '../lib/cp-idle-stack.js';
import { commandOf, measureIdleCpu, processTree } from '../lib/cp-proc.js';
import { percentile } from '../lib/cp-stats.js';
import type { BenchContext, BenchScenario, Sample, ScenarioReport } from '../lib/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CPUS = 0.5;
/** A real Kubernetes API server's kubeconfig for the operator's idle figure (none: not measured). */
const KUBECONFIG = process.env.BSO_BENCH_KUBECONFIG || undefined;

interface Overload { latencies: number[]; maint: number; failed: number; throttledShare: number }

/** CFS periods so far and how many of them the cgroup was throttled in (cpu.stat, v1 and v2). */
function throttling(cgroup: RealCgroup): { periods: number; throttled: number } {
  try {
    const text = readFileSync(join(dirname(cgroup.procs[0]!), 'cpu.stat'), 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { periods: field('nr_periods'), throttled: field('nr_throttled') };
  } catch {
    return { periods: NaN, throttled: NaN };
  }
}

async function overloadOnce(api: SpawnedApi, cgroup: RealCgroup, seconds: number): Promise<Overload> {
  const moveIn = cgroup.procs.map((f) => `echo $$ > ${f}`).join('; ');
  const stress: ChildProcess = spawn('sh', ['-c', `${moveIn}; exec stress-ng --cpu 2 --vm 1 --vm-bytes 64M --timeout ${seconds}s --quiet`], { stdio: 'ignore' });
  let ended = false;
  stress.once('exit', () => { ended = true; });
  const result: Overload = { latencies: [], maint: 0, failed: 0, throttledShare: NaN };
  try {
    // Let the overload build up (and the agent see it) before measuring.
    await sleep(1500);
    const before = throttling(cgroup);
    const until = Date.now() + (seconds - 2) * 1000;
    while (!ended && Date.now() < until) {
      try {
        const { line, ms } = await askAgent(api.agentPort, 2000);
        result.latencies.push(ms);
        if (line.startsWith('maint')) result.maint += 1;
      } catch {
        result.failed += 1;
      }
      await sleep(20);
    }
    const after = throttling(cgroup);
    result.throttledShare = (100 * (after.throttled - before.throttled)) / (after.periods - before.periods);
  } finally {
    stress.kill('SIGKILL');
    if (!ended) await new Promise((r) => stress.once('exit', r));
  }
  return result;
}

export const scenario: BenchScenario = {
  id: 7,
  title: 'Agent latency under overload; CPU at idle',
  inQuick: false, // its idle windows alone take a minute; --quick stays near 5 minutes without it
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const windowMs = ctx.quick ? 10_000 : 30_000;
    const stressSeconds = ctx.quick ? 6 : 10;
    const notes: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'bso-bench-s7-'));
    const stressNg = !spawnSync('stress-ng', ['--version']).error;
    const made = createRealCgroup(`bso-bench-${process.pid}`, join(dir, 'view'), { cpus: CPUS, memoryBytes: 512 * 2 ** 20 });
    const cgroup = typeof made === 'string' ? undefined : made;
    if (!cgroup) notes.push(`No real cgroup (${made}): the overload part is not measured.`);
    if (!stressNg) notes.push('stress-ng is not installed: the overload part is not measured.');
    let api: SpawnedApi | undefined;
    let stack: IdleStack | undefined;
    const idle: Record<string, number[]> = { 'bso-api': [], operator: [], 'supervisor (node)': [], 'HAProxy (master + worker)': [] };
    const overloads: Overload[] = [];
    try {
      api = await spawnApi(cgroup ? { BSO_CGROUP_ROOT: cgroup.view } : {}, entryFor('api/main.ts').args);
      cgroup?.add(api.child.pid!);
      stack = await startIdleStack({ httpPort: api.httpPort, agentPort: api.agentPort }, KUBECONFIG);
      const apiPid = api.child.pid!;
      const s = stack;
      for (let run = 0; run < ctx.runs; run++) {
        await sleep(run === 0 ? 3000 : 6000); // settle (after a stress: the replica back UP, reports sent)
        const cpu = await measureIdleCpu({
          'bso-api': () => [apiPid],
          ...(s.operatorPid === undefined ? {} : { operator: () => [s.operatorPid!] }),
          'supervisor (node)': () => [s.supervisorPid],
          'HAProxy (master + worker)': () => processTree(s.supervisorPid).filter((p) => commandOf(p) === 'haproxy'),
        }, windowMs);
        for (const [k, v] of Object.entries(cpu)) idle[k]!.push(v);
        let line = `s7 run ${run + 1}/${ctx.runs}: idle CPU over ${windowMs / 1000} s: ${Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(2)} %`).join(', ')}`;
        if (cgroup && stressNg) {
          const o = await overloadOnce(api, cgroup, stressSeconds);
          overloads.push(o);
          line += `; overloaded (throttled in ${o.throttledShare.toFixed(0)} % of CFS periods): ${o.latencies.length} agent replies, p50 ${percentile(o.latencies, 50).toFixed(1)} ms, p99 ${percentile(o.latencies, 99).toFixed(1)} ms, max ${Math.max(...o.latencies).toFixed(1)} ms, ${o.maint} maint, ${o.failed} failed`;
        }
        ctx.log(line);
      }
    } finally {
      await stack?.stop();
      await api?.kill();
      await cgroup?.remove().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
    const samples: Sample[] = [];
    if (overloads.length > 0) {
      samples.push({ peer: 'bso', metric: 'agent reply p99, replica overloaded', unit: 'ms', values: overloads.map((o) => percentile(o.latencies, 99)), goal: '< 50 ms', better: 'lower' });
      samples.push({ peer: 'bso', metric: 'agent reply p50, replica overloaded', unit: 'ms', values: overloads.map((o) => percentile(o.latencies, 50)), better: 'lower' });
      samples.push({ peer: 'bso', metric: 'agent reply max, replica overloaded', unit: 'ms', values: overloads.map((o) => Math.max(...o.latencies)), better: 'lower' });
      samples.push({ peer: 'bso', metric: 'agent replies "maint" while overloaded', unit: '%', values: overloads.map((o) => (100 * o.maint) / Math.max(1, o.latencies.length)), better: 'higher' });
      samples.push({ peer: 'bso', metric: 'CFS periods the cgroup was throttled in', unit: '%', values: overloads.map((o) => o.throttledShare) });
      samples.push({ peer: 'bso', metric: 'agent queries unanswered (2 s timeout)', unit: 'count', values: overloads.map((o) => o.failed), goal: '0', better: 'lower' });
    }
    if (!KUBECONFIG) delete idle.operator;
    for (const [k, v] of Object.entries(idle)) {
      const goal = k === 'bso-api' || k === 'operator' ? '< 1 %' : undefined;
      samples.push({ peer: k, metric: 'CPU at idle (share of one core)', unit: '%', values: v, goal, better: 'lower' });
    }
    notes.push(
      `Programs run from ${entryFor('api/main.ts').from === 'dist' ? 'dist/ (compiled, as in the images)' : 'source through tsx (dist/ missing or older than the source: run npm run build; tsx alone adds about 1 % of a core at idle)'}. Overload: bso-api (defaults) and stress-ng --cpu 2 --vm 1 in one cgroup v${cgroup?.version ?? '?'} with a ${CPUS} CPU quota for ${stressSeconds} s; agent queries every 20 ms from 1.5 s into the stress (connect, read the line, close: what HAProxy does), each timed to the close. The kernel's CFS bandwidth control throttles a saturated cgroup for the rest of each 100 ms period once its quota is spent (about 50 ms at 0.5 CPU): an agent inside the cgroup cannot answer a query that lands in a throttled slice until the next period, so its p99 is bounded below by the throttled slice, whatever the agent does.`,
      `Idle: CPU time from /proc/<pid>/stat over ${windowMs / 1000} s per run. The HAProxy supervisor runs as its own process (production defaults) with a real HAProxy that health- and agent-checks that bso-api every 2 s; ${KUBECONFIG ? `the operator is \`bso operator --backend=kubernetes\` against the real API server of ${KUBECONFIG} with no spec (watching, resync 30 s)` : 'the Kubernetes operator is not measured here: set BSO_BENCH_KUBECONFIG to a real API server\'s kubeconfig (the bench does not measure against a fake)'}. The Swarm operator with a deployed spec is measured in scenario 6.`,
    );
    return { id: 7, title: scenario.title, samples, plots: [], notes };
  },
};
