// Where `bso top` gets its figures, and how they become one snapshot:
//   - the operator's status (required): each server's HAProxy state, weight, agent reply;
//   - HAProxy's exporter on the stats port (default on): per-server response counters, whose
//     growth between frames is each replica's share of traffic;
//   - the replicas' own CPU and memory in the operator's status (status.servers[].cpu, .memory:
//     what the supervisor last read from each replica, refreshed with its reports, at least
//     every 10 s), so top shows them without Prometheus;
//   - Prometheus (optional, --prometheus): fresher CPU and memory (used first when it has them),
//     and request rates when HAProxy's exporter is not reachable.
// requestsTotal in status.servers, if an operator reports it, is used for rates first.
// buildTopSnapshot and the parsers are pure; the fetchers are thin.
import type { ApiObject } from '../../operator/api-object.js';
import type { TopReplica, TopSnapshot } from './top-frame.js';

/** PromQL `bso top` sends to Prometheus, by BalancedService name (also run by the dashboard test). */
export const PROMETHEUS_QUERIES = {
  cpu: (name: string) => `bso_agent_cpu_ratio{job="bso-api", balancedservice="${name}", signal="smoothed"}`,
  memory: (name: string) => `bso_agent_memory_ratio{job="bso-api", balancedservice="${name}", signal="smoothed"}`,
  requestRate: (name: string) => `sum by (instance) (irate(bso_api_requests_total{job="bso-api", balancedservice="${name}", route!~"/healthz|/metrics"}[1m]))`,
} as const;

/** A server as the operator's API shows it; cpu, memory and requestsTotal only if it reports them. */
interface ApiServer { name: string; address: string; state: string; weight: number; agent?: string; task?: string; cpu?: number; memory?: number; requestsTotal?: number }

/** Cumulative counters per key (server name or address) at one moment. */
export interface CounterSample { timeMs: number; counts: ReadonlyMap<string, number> }

/** Keeps the last samples of cumulative counters and turns them into rates over a window. */
export class CounterWindow {
  private samples: CounterSample[] = [];

  constructor(private readonly windowMs = 5000) {}

  add(sample: CounterSample): void {
    this.samples.push(sample);
    // Keep one sample at or beyond the window, so the rate always spans about windowMs.
    while (this.samples.length > 2 && sample.timeMs - this.samples[1]!.timeMs >= this.windowMs) this.samples.shift();
  }

  /** Per-key rate (per second) between the oldest and newest sample; undefined with one sample. */
  rates(): Map<string, number> | undefined {
    if (this.samples.length < 2) return undefined;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const seconds = (last.timeMs - first.timeMs) / 1000;
    if (seconds <= 0) return undefined;
    const rates = new Map<string, number>();
    for (const [key, value] of last.counts) {
      const before = first.counts.get(key);
      // A new key, or a reset counter (HAProxy reloaded): count from zero.
      const delta = before === undefined || value < before ? value : value - before;
      rates.set(key, delta / seconds);
    }
    return rates;
  }
}

/** Sum of haproxy_server_http_responses_total per server of one backend, from the exporter's text. */
export function parseHAProxyResponses(exposition: string, backend: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith('haproxy_server_http_responses_total{')) continue;
    const match = /^[a-z_]+\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (labels['proxy'] !== backend || !labels['server']) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) counts.set(labels['server'], (counts.get(labels['server']) ?? 0) + value);
  }
  return counts;
}

/** "10.0.1.5:8080" and "10.0.1.5" both give "10.0.1.5"; "[::1]:8080" gives "::1". */
export function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  return address.split(':').length === 2 ? address.replace(/:\d+$/, '') : address;
}

export interface TopInputs {
  object: ApiObject;
  time: Date;
  /** By server name: requests per second through HAProxy (its exporter). */
  haproxyRates?: ReadonlyMap<string, number>;
  /** By server name: rates from the operator's requestsTotal counters. */
  operatorRates?: ReadonlyMap<string, number>;
  /** By replica host (IP): values from Prometheus. */
  prometheus?: { cpu: ReadonlyMap<string, number>; memory: ReadonlyMap<string, number>; requestRate: ReadonlyMap<string, number> };
  /** Why a source gave nothing, shown under the table. */
  problems?: string[];
}

export function buildTopSnapshot(input: TopInputs): TopSnapshot {
  const { object } = input;
  const spec = object.spec as { replicas?: number; agent?: { thresholds?: { maint?: number; ready?: number } } };
  const status = object.status;
  const servers = ((status?.servers ?? []) as ApiServer[]).slice().sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const readyCondition = status?.conditions.find((c) => c.type === 'Ready');
  const notes = [...(input.problems ?? [])];

  const fromPrometheus = input.prometheus !== undefined && input.prometheus.cpu.size > 0;
  const cpuSource = fromPrometheus ? 'prometheus' : servers.some((s) => typeof s.cpu === 'number') ? 'operator' : undefined;
  const rateSource: { name: string; rates: (s: ApiServer) => number | undefined } | undefined =
    input.operatorRates ? { name: 'operator', rates: (s) => input.operatorRates!.get(s.name) }
      : input.haproxyRates ? { name: 'haproxy', rates: (s) => input.haproxyRates!.get(s.name) ?? 0 }
        : input.prometheus && input.prometheus.requestRate.size > 0 ? { name: 'prometheus', rates: (s) => input.prometheus!.requestRate.get(hostOf(s.address)) ?? 0 }
          : undefined;

  const replicas: TopReplica[] = servers.map((s) => {
    const host = hostOf(s.address);
    const replica: TopReplica = { server: s.name, address: s.address, state: s.state, weight: s.weight };
    if (s.agent !== undefined) replica.agent = s.agent;
    if (s.task !== undefined) replica.task = s.task;
    const cpu = input.prometheus?.cpu.get(host) ?? s.cpu;
    const memory = input.prometheus?.memory.get(host) ?? s.memory;
    if (cpu !== undefined) replica.cpu = cpu;
    if (memory !== undefined) replica.memory = memory;
    const rate = rateSource?.rates(s);
    if (rate !== undefined) replica.rate = rate;
    return replica;
  });
  const total = replicas.reduce((sum, r) => sum + (r.rate ?? 0), 0);
  if (rateSource) for (const r of replicas) if (r.rate !== undefined) r.share = total > 0 ? r.rate / total : 0;

  if (!cpuSource) notes.push('CPU per replica: pass --prometheus URL (a Prometheus scraping the replicas, deploy/prometheus).');
  if (!rateSource) notes.push('Traffic share: HAProxy\'s exporter was not reachable; pass --haproxy-metrics URL or --prometheus URL.');
  const snapshot: TopSnapshot = {
    name: object.metadata.name,
    time: input.time,
    ready: readyCondition?.status === 'True',
    desiredReplicas: status?.replicas ?? spec.replicas ?? 0,
    readyReplicas: status?.readyReplicas ?? 0,
    thresholds: { maint: spec.agent?.thresholds?.maint ?? 80, ready: spec.agent?.thresholds?.ready ?? 60 },
    replicas,
    notes,
  };
  if (readyCondition) snapshot.status = readyCondition.status === 'True' ? 'Ready' : readyCondition.reason;
  if (cpuSource) snapshot.cpuSource = cpuSource;
  if (rateSource) snapshot.shareSource = rateSource.name;
  return snapshot;
}

/** The operator's requestsTotal per server, if its status has them. */
export function operatorCounters(object: ApiObject): Map<string, number> | undefined {
  const servers = (object.status?.servers ?? []) as ApiServer[];
  if (!servers.some((s) => typeof s.requestsTotal === 'number')) return undefined;
  return new Map(servers.filter((s) => typeof s.requestsTotal === 'number').map((s) => [s.name, s.requestsTotal!]));
}

/** One instant-vector query; values keyed by the series' instance host. */
export async function queryByHost(prometheusUrl: string, expr: string, timeoutMs = 2000): Promise<Map<string, number>> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(body.error ?? `Prometheus answered ${response.status}`);
  const out = new Map<string, number>();
  for (const series of body.data?.result ?? []) {
    const instance = series.metric['instance'];
    const value = Number(series.value[1]);
    if (instance && Number.isFinite(value)) out.set(hostOf(instance), value);
  }
  return out;
}

export async function fetchText(url: string, timeoutMs = 2000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}
