// Scenario 6 (issue #7): scale-out, from a new task RUNNING to its first request served (goal
// p95 <= 1 s). A real Swarm and the operator (from source), the spec applied with `bso apply`;
// under light load through HAProxy, the BalancedService is scaled from 2 to 4 and back, once per
// run. RUNNING is the task's status timestamp from Docker; the first request is the first
// response through HAProxy that names the new container. Also: CPU at idle of the Swarm operator
// and of the containers (a deployed, Ready spec). Takes /tmp/bso-docker.lock for its Docker part.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/loopback/replicas.js';
import { dockerJson, run, waitFor } from '../lib/run.js';
import { withDockerLock } from '../lib/cp-docker-lock.js';
import { cliEntry } from '../lib/cp-entry.js';
import { containerCpuSeconds, cpuSeconds } from '../lib/cp-proc.js';
import { median, percentile } from '../lib/cp-stats.js';
import type { BenchContext, BenchScenario, Sample, ScenarioReport } from '../lib/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAME = 'bsobcp-s6';
const API = `${NAME}-api`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Task { ID: string; Slot: number; DesiredState: string; Status: { State: string; Timestamp: string; ContainerStatus?: { ContainerID?: string } } }

function bso(args: string[]) {
  return run(process.execPath, [...cliEntry().args, ...args], { allowFailure: true });
}

function writeSpec(file: string, replicas: number, port: number, statsPort: number): void {
  const text = readFileSync(join(ROOT, 'examples/hello.yaml'), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('replicas: 2', `replicas: ${replicas}`)
    .replace('port: 80\n', `port: ${port}\n`)
    .replace('statsPort: 8404', `statsPort: ${statsPort}`);
  writeFileSync(file, text);
}

/** Requests through HAProxy in two loops; remembers when each hostname first answered. */
class Watcher {
  readonly firstSeen = new Map<string, number>();
  requests = 0;
  failed = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly url: string) {}

  start(loops = 2, pauseMs = 40): void {
    for (let i = 0; i < loops; i++) this.loops.push(this.loop(pauseMs));
  }

  private async loop(pauseMs: number): Promise<void> {
    while (!this.stopped) {
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } });
        const body = await response.text();
        const at = Date.now();
        this.requests += 1;
        if (response.status !== 200) this.failed += 1;
        else {
          const host = (JSON.parse(body) as { hostname?: string }).hostname;
          if (host && !this.firstSeen.has(host)) this.firstSeen.set(host, at);
        }
      } catch {
        this.failed += 1;
      }
      await sleep(pauseMs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

async function runningTasks(): Promise<Task[]> {
  const ids = (await run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', API])).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  return (await dockerJson<Task[]>(['inspect', ...ids])).filter((t) => t.Status.State === 'running');
}

async function ownedObjects(): Promise<string[]> {
  const label = `bso.dev/balancedservice=${NAME}`;
  const lists = await Promise.all(['service', 'network', 'secret', 'config'].map((kind) => run('docker', [kind, 'ls', '-q', '--filter', `label=${label}`], { allowFailure: true })));
  return lists.flatMap((l) => l.stdout.split('\n').filter(Boolean));
}

function startOperator(port: number, logFile: string): ChildProcess {
  const child = spawn(process.execPath, [...cliEntry().args, 'operator', '--backend=swarm', '--listen', `0.0.0.0:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => { log += chunk.toString(); writeFileSync(logFile, log.slice(-200_000)); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

interface Measured { delays: number[]; fromListening: number[]; idle?: Record<string, number[]>; failed: number; requests: number }

/** When bso-api in a container printed its `listening` line (docker logs --timestamps), ms since the epoch. */
async function listeningAt(containerId: string): Promise<number | undefined> {
  const logs = await run('docker', ['logs', '--timestamps', containerId], { allowFailure: true });
  const line = `${logs.stdout}\n${logs.stderr}`.split('\n').find((l) => l.includes('listening http='));
  const stamp = line?.split(' ')[0];
  return stamp ? Date.parse(stamp) : undefined;
}

async function measure(ctx: BenchContext, dir: string): Promise<Measured> {
  const other = await fetch('http://127.0.0.1:9464/healthz', { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
  if (other) throw new Error('a bso operator answers on :9464 (the demo?): two operators would fight; stop it first');
  const [operatorPort, port, statsPort] = [await freePort(), await freePort(), await freePort()];
  const specFile = join(dir, `${NAME}.yaml`);
  const operatorUrl = `http://127.0.0.1:${operatorPort}`;
  await bso(['delete', NAME, '--wait', '--timeout', '60s']);
  const operator = startOperator(operatorPort, join(dir, 'operator.log'));
  const out: Measured = { delays: [], fromListening: [], failed: 0, requests: 0 };
  let watcher: Watcher | undefined;
  try {
    await waitFor('the operator to be ready (/readyz)', 60_000, () => fetch(`${operatorUrl}/readyz`).then((r) => r.ok));
    writeSpec(specFile, 2, port, statsPort);
    const t0 = Date.now();
    const applied = await bso(['apply', '-f', specFile, '--wait', '--timeout', '180s', '--operator', operatorUrl]);
    if (applied.code !== 0) throw new Error(`bso apply failed: ${applied.stdout}${applied.stderr}`);
    ctx.log(`s6: ${NAME} Ready with 2 replicas after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    watcher = new Watcher(`http://127.0.0.1:${port}/`);
    watcher.start();
    await waitFor('both replicas answering', 60_000, async () => watcher!.firstSeen.size >= 2);

    if (!ctx.quick) {
      // Idle: no traffic, the spec Ready; the operator (a host process) and the containers.
      await watcher.stop();
      await sleep(5000);
      const containers: string[] = [];
      const names: string[] = [];
      for (const service of [API, `${NAME}-haproxy`]) {
        const ids = (await run('docker', ['ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.service.name=${service}`])).stdout.split('\n').filter(Boolean);
        containers.push(...ids);
        names.push(...ids.map(() => service));
      }
      const windowMs = 10_000;
      out.idle = {};
      for (let window = 0; window < ctx.runs; window++) {
        const before = { operator: cpuSeconds([operator.pid!]), containers: containers.map(containerCpuSeconds) };
        const started = performance.now();
        await sleep(windowMs);
        const seconds = (performance.now() - started) / 1000;
        const share = (a: number, b: number) => ((b - a) / seconds) * 100;
        const values: Record<string, number> = { 'operator (Swarm, 1 spec Ready)': share(before.operator, cpuSeconds([operator.pid!])) };
        containers.forEach((id, i) => {
          const key = `${names[i]} container`;
          values[key] = Math.max(values[key] ?? 0, share(before.containers[i]!, containerCpuSeconds(id))); // the busier replica
        });
        for (const [k, v] of Object.entries(values)) out.idle[k] = [...(out.idle[k] ?? []), v];
        ctx.log(`s6: idle CPU over ${windowMs / 1000} s (window ${window + 1}/${ctx.runs}): ${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(2)} %`).join(', ')}`);
      }
      watcher = new Watcher(`http://127.0.0.1:${port}/`);
      watcher.start();
      await waitFor('both replicas answering again', 60_000, async () => watcher!.firstSeen.size >= 2);
    }

    for (let cycle = 0; cycle < ctx.runs; cycle++) {
      const known = new Set((await runningTasks()).map((t) => t.Status.ContainerStatus?.ContainerID ?? ''));
      writeSpec(specFile, 4, port, statsPort);
      const up = await bso(['apply', '-f', specFile, '--operator', operatorUrl]);
      if (up.code !== 0) throw new Error(`bso apply (4 replicas) failed: ${up.stdout}${up.stderr}`);
      const { value: fresh } = await waitFor('two new replicas serving', 90_000, async () => {
        const tasks = (await runningTasks()).filter((t) => !known.has(t.Status.ContainerStatus?.ContainerID ?? ''));
        const served = tasks.filter((t) => [...watcher!.firstSeen.keys()].some((h) => (t.Status.ContainerStatus?.ContainerID ?? '').startsWith(h)));
        return tasks.length === 2 && served.length === 2 ? tasks : undefined;
      }, 200);
      const delays = fresh.map((t) => {
        const id = t.Status.ContainerStatus!.ContainerID!;
        const host = [...watcher!.firstSeen.keys()].find((h) => id.startsWith(h))!;
        return watcher!.firstSeen.get(host)! - Date.parse(t.Status.Timestamp);
      });
      const fromListening = await Promise.all(fresh.map(async (t) => {
        const id = t.Status.ContainerStatus!.ContainerID!;
        const host = [...watcher!.firstSeen.keys()].find((h) => id.startsWith(h))!;
        const listening = await listeningAt(id);
        return listening === undefined ? Number.NaN : watcher!.firstSeen.get(host)! - listening;
      }));
      out.delays.push(...delays);
      out.fromListening.push(...fromListening);
      ctx.log(`s6 run ${cycle + 1}/${ctx.runs}: scaled 2 -> 4: RUNNING -> first request ${delays.map((d) => `${d} ms`).join(', ')}; app listening -> first request ${fromListening.map((d) => `${d} ms`).join(', ')}`);
      writeSpec(specFile, 2, port, statsPort);
      const down = await bso(['apply', '-f', specFile, '--operator', operatorUrl]);
      if (down.code !== 0) throw new Error(`bso apply (2 replicas) failed: ${down.stdout}${down.stderr}`);
      await waitFor('back at 2 running tasks', 90_000, async () => (await runningTasks()).length === 2, 500);
      await sleep(3000);
    }
  } finally {
    await watcher?.stop();
    out.failed = watcher?.failed ?? 0;
    out.requests = watcher?.requests ?? 0;
    const deleted = await bso(['delete', NAME, '--wait', '--timeout', '90s']);
    if (deleted.code !== 0) ctx.log(`s6: bso delete: ${deleted.stdout}${deleted.stderr}`);
    await waitFor('every object of the spec gone', 90_000, async () => (await ownedObjects()).length === 0).catch((e: Error) => ctx.log(`s6: cleanup: ${e.message}`));
    await new Promise<void>((resolve) => {
      if (operator.exitCode !== null) return resolve();
      operator.once('exit', () => resolve());
      operator.kill('SIGTERM');
    });
  }
  return out;
}

export const scenario: BenchScenario = {
  id: 6,
  title: 'Scale-out: new task RUNNING to its first request served',
  inQuick: false,
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const dir = mkdtempSync(join(tmpdir(), 'bso-bench-s6-'));
    try {
      const m = await withDockerLock(() => measure(ctx, dir), ctx.log);
      const perRun = Array.from({ length: ctx.runs }, (_, i) => m.delays.slice(2 * i, 2 * i + 2));
      const samples: Sample[] = [
        { peer: 'bso', metric: 'RUNNING -> first request, slower new replica of the run', unit: 'ms', values: perRun.map((d) => Math.max(...d)), goal: 'p95 <= 1000 ms', better: 'lower' },
        { peer: 'bso', metric: 'RUNNING -> first request, faster new replica of the run', unit: 'ms', values: perRun.map((d) => Math.min(...d)), better: 'lower' },
        { peer: 'bso', metric: 'app listening -> first request, slower new replica of the run', unit: 'ms', values: Array.from({ length: ctx.runs }, (_, i) => Math.max(...m.fromListening.slice(2 * i, 2 * i + 2))), better: 'lower' },
      ];
      for (const [k, v] of Object.entries(m.idle ?? {})) samples.push({ peer: k, metric: 'CPU at idle (share of one core)', unit: '%', values: v, goal: k.startsWith('operator') ? '< 1 %' : undefined, better: 'lower' });
      return {
        id: 6, title: scenario.title, samples, plots: [],
        notes: [
          `All ${m.delays.length} new replicas: RUNNING -> first request p50 ${median(m.delays).toFixed(0)} ms, p95 ${percentile(m.delays, 95).toFixed(0)} ms, max ${Math.max(...m.delays).toFixed(0)} ms (goal p95 <= 1000 ms); app listening -> first request p50 ${median(m.fromListening).toFixed(0)} ms, p95 ${percentile(m.fromListening, 95).toFixed(0)} ms. By run: ${perRun.map((d) => d.map((x) => `${x}`).join(' and ')).join('; ')} ms.`,
          `Real Swarm (one node), the operator from ${cliEntry().from}, ` + 'examples/hello.yaml (agent interval 500 ms, health checks every 2 s with fastinter 250 ms, downinter 500 ms and rise 2, slowstart 1 s, HAProxy re-resolving tasks.<name>-api every second). RUNNING = the task\'s status timestamp from Docker (the container started; the app still boots); app listening = the timestamp of bso-api\'s `listening` log line; first request = the first response through HAProxy naming the new container (two client loops, a request every ~40 ms each, new connection per request).',
          `Light load: ${m.requests} requests through HAProxy during the scenario, ${m.failed} failed (scale-down included).`,
          m.idle ? 'Idle CPU (one 10 s window per run, back to back, no traffic, the spec Ready; the operator resyncs every 30 s, so one window in three holds a resync): the operator process, and the busier container of each service from its cgroup (bso-api; the HAProxy container = supervisor + HAProxy).' : 'Idle CPU not measured in --quick.',
          'Needs the machine to itself: takes /tmp/bso-docker.lock (set BSO_DOCKER_LOCK_HELD=1 if the caller holds it) and fails if an operator answers on :9464.',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
