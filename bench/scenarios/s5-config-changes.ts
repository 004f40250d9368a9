// Scenario 5 (issue #7): 20 config changes under load. The real supervisor with a real HAProxy
// pulls configs from the operator's config endpoint on loopback (bench/lib/loopback/haproxy-fixture.ts),
// replicas are found through DNS as in Swarm, and wrk keeps load on HAProxy (keep-alive and a new
// connection per request) through every change. Per kind of change: failed requests and reloads.
import type { BalancedService } from '../../crd/types.generated.js';
import { Fixture } from '../lib/loopback/haproxy-fixture.js';
import { Load, type LoadResult } from '../lib/loopback/load.js';
import type { BenchContext, BenchScenario, Sample, ScenarioReport } from '../lib/types.js';

type Kind = 'scale' | 'agent weight' | 'maxconn' | 'needs reload';
const KINDS: Kind[] = ['scale', 'agent weight', 'maxconn', 'needs reload'];

interface Change { kind: Kind; label: string; apply: (f: Fixture) => Promise<void> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withSpec(f: Fixture, mutate: (s: BalancedService) => void): BalancedService {
  const spec = structuredClone(f.spec);
  mutate(spec);
  return spec;
}

function scaleTo(n: number): Change {
  return {
    kind: 'scale', label: `scale to ${n}`,
    apply: async (f) => {
      f.setDnsReplicas(n);
      f.serve(withSpec(f, (s) => { s.spec.replicas = n; }));
      await f.waitForServers((servers) => servers.filter((s) => s.state === 'UP').length === n && servers.length === n, `${n} replicas UP`);
    },
  };
}

function agentWeight(replica: number, percent: number): Change {
  return {
    kind: 'agent weight', label: `replica ${replica + 1} ready ${percent}%`,
    apply: async (f) => {
      const r = f.replicas[replica]!;
      r.agentReply = `ready ${percent}%`;
      await f.waitForServers((servers) => servers.find((s) => s.address?.startsWith(`${r.address}:`))?.weight === percent, `weight ${percent}`);
    },
  };
}

function specChange(kind: Kind, label: string, mutate: (s: BalancedService) => void, expect: 'runtime' | 'reload'): Change {
  return {
    kind, label,
    apply: async (f) => {
      const result = await f.outcomeOf(f.serve(withSpec(f, mutate)));
      if (result.outcome !== expect) throw new Error(`${label}: ${result.outcome} (${result.reason}${result.error ? `: ${result.error}` : ''}), expected ${expect}`);
    },
  };
}

/** The 20 changes, kinds interleaved. Weights stay within 2 replicas (replica 1 and 2 are always in). */
function changes(): Change[] {
  return [
    scaleTo(3),
    agentWeight(0, 50),
    specChange('needs reload', 'server timeout 20s', (s) => { s.spec.haproxy.timeouts.server = '20s'; }, 'reload'),
    specChange('maxconn', 'maxconn per server 50', (s) => { s.spec.haproxy.maxconnPerServer = 50; }, 'runtime'),
    scaleTo(4),
    agentWeight(1, 25),
    specChange('needs reload', 'client timeout 40s', (s) => { s.spec.haproxy.timeouts.client = '40s'; }, 'reload'),
    scaleTo(3),
    agentWeight(0, 75),
    specChange('needs reload', 'retries 3', (s) => { s.spec.haproxy.retries = 3; }, 'reload'),
    scaleTo(2),
    agentWeight(1, 100),
    specChange('maxconn', 'maxconn per server 200', (s) => { s.spec.haproxy.maxconnPerServer = 200; }, 'runtime'),
    specChange('needs reload', 'queue timeout 3s', (s) => { s.spec.haproxy.timeouts.queue = '3s'; }, 'reload'),
    scaleTo(4),
    agentWeight(0, 10),
    specChange('needs reload', 'balance roundrobin', (s) => { s.spec.haproxy.balance = 'roundrobin'; }, 'reload'),
    scaleTo(2),
    agentWeight(0, 100),
    specChange('needs reload', 'health check fall 4', (s) => { s.spec.healthCheck.fall = 4; }, 'reload'),
  ];
}

interface Row { kind: Kind; label: string; reloads: number; keepAlive: LoadResult; perRequest: LoadResult; ms: number }

async function runOnce(ctx: BenchContext, run: number): Promise<Row[]> {
  // minReloadInterval 500 ms instead of the production 2 s: the reload-needing changes come
  // one after another here, and the scenario measures their effect, not the spacing.
  const f = await Fixture.start({ replicaServers: 4, replicas: 2, minReloadIntervalMs: 500 });
  const rows: Row[] = [];
  try {
    const first = await f.outcomeOf(f.servedHash!, 20_000, 0);
    if (first.outcome !== 'reload') throw new Error(`the first config was ${first.outcome}, not a reload`);
    await f.waitForServers((s) => s.filter((x) => x.state === 'UP').length === 2, 'both replicas UP');
    for (const change of changes()) {
      const keepAlive = Load.start({ url: f.url, connections: 4, delayMs: 5, close: false });
      const perRequest = Load.start({ url: f.url, connections: 2, delayMs: 5, close: true });
      const before = (await f.showProc()).master.reloads;
      const started = performance.now();
      let failure: unknown;
      try {
        await sleep(250);
        await change.apply(f);
        await sleep(250);
      } catch (error) {
        failure = error;
      }
      const ms = performance.now() - started;
      const [a, b] = [await keepAlive.stop(), await perRequest.stop()];
      if (failure) throw failure;
      const reloads = (await f.showProc()).master.reloads - before;
      rows.push({ kind: change.kind, label: change.label, reloads, keepAlive: a, perRequest: b, ms });
      ctx.log(`s5 run ${run + 1}: ${change.kind.padEnd(12)} ${change.label.padEnd(26)} reloads ${reloads}, failed ${a.failed}+${b.failed} of ${a.requests + b.requests} (${ms.toFixed(0)} ms)`);
    }
  } finally {
    await f.close();
  }
  return rows;
}

export const scenario: BenchScenario = {
  id: 5,
  title: '20 config changes under load',
  inQuick: true,
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const runs: Row[][] = [];
    for (let run = 0; run < ctx.runs; run++) runs.push(await runOnce(ctx, run));
    const perKind = (kind: Kind, pick: (r: Row) => number) => runs.map((rows) => rows.filter((r) => r.kind === kind).reduce((n, r) => n + pick(r), 0));
    const count = (kind: Kind) => changes().filter((c) => c.kind === kind).length;
    const samples: Sample[] = [];
    for (const kind of KINDS) {
      const reloadGoal = kind === 'needs reload' ? `${count(kind)} (one each)` : '0';
      samples.push({ peer: 'bso', metric: `failed requests: ${kind} (${count(kind)} changes)`, unit: 'count', values: perKind(kind, (r) => r.keepAlive.failed + r.perRequest.failed), goal: '0', better: 'lower' });
      samples.push({ peer: 'bso', metric: `reloads: ${kind} (${count(kind)} changes)`, unit: 'count', values: perKind(kind, (r) => r.reloads), goal: reloadGoal, better: 'lower' });
    }
    samples.push({ peer: 'bso', metric: 'failed requests on new connections, all 20 changes', unit: 'count', values: runs.map((rows) => rows.reduce((n, r) => n + r.perRequest.failed, 0)), goal: '0', better: 'lower' });
    samples.push({ peer: 'bso', metric: 'failed requests on keep-alive connections, all 20 changes', unit: 'count', values: runs.map((rows) => rows.reduce((n, r) => n + r.keepAlive.failed, 0)), goal: '0', better: 'lower' });
    samples.push({ peer: 'bso', metric: 'requests during the 20 changes', unit: 'count', values: runs.map((rows) => rows.reduce((n, r) => n + r.keepAlive.requests + r.perRequest.requests, 0)), better: 'higher' });
    const errorKinds = runs.flat().reduce((e, r) => {
      for (const load of [r.keepAlive, r.perRequest]) for (const [k, v] of Object.entries(load.errors)) e[k] = (e[k] ?? 0) + v;
      return e;
    }, {} as Record<string, number>);
    return {
      id: 5, title: scenario.title, samples, plots: [],
      notes: [
        'Real bso supervisor and HAProxy 2.6 on loopback; configs pulled over HTTP from the operator\'s config endpoint (operator/config-endpoint.ts); replicas on 127.0.0.2-5 found through a DNS server answering tasks.<name>-api as Docker does. Each change runs under its own wrk pair (4 keep-alive connections and 2 with a new connection per request, 5 ms pause each) from 250 ms before the change until 250 ms after it took effect.',
        'Kinds: scale = replicas and DNS answers change (within the 16 server slots: the served config stays byte-identical); agent weight = a replica\'s agent answers another "ready N%"; maxconn = a spec change the supervisor applies through the runtime API; needs reload = timeouts, retries, balance, fall (each needs a new HAProxy process). Reloads are counted by the master\'s reload counter (show proc). minReloadInterval is 500 ms instead of 2 s.',
        `Socket errors and error statuses over all runs: ${Object.entries(errorKinds).map(([k, v]) => `${k} ${v}`).join(', ')}. bso renders option idle-close-on-response: an old worker answers the next request on an idle keep-alive connection (with Connection: close) instead of closing it under a client about to reuse it; without it, about 20 keep-alive requests per run failed here with read errors.`,
      ],
    };
  },
};
