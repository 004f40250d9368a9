// The replica's /metrics: its own registry; agent values are read from the agent's latest
// snapshot at scrape time. Names: bso_agent_* for the agent, bso_api_* for the HTTP side; base
// units (ratios 0..1, seconds, bytes); counters end in _total; labels are bounded sets.
import type { Request, Response, NextFunction } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../lib/process-metrics.js';
import type { AgentSnapshot } from './agent/agent-messages.js';
import { AGENT_STATES, type AgentState } from './policy/decide-agent-reply.js';

export interface MetricsSource {
  snapshot(): AgentSnapshot;
  restarts(): number;
  thresholds: { maintAt: number; readyAt: number };
  metric: string;
}

const TRANSITIONS: Array<[AgentState, AgentState]> = [['ready', 'maint'], ['maint', 'ready'], ['ready', 'drain'], ['maint', 'drain']];

export interface ApiMetrics {
  registry: Registry;
  /** Express middleware counting requests by route, method and status code. */
  middleware: (req: Request, res: Response, next: NextFunction) => void;
}

export function createApiMetrics(source: MetricsSource): ApiMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry, 'api');
  const registers = [registry];

  const signalGauge = (name: string, help: string, pick: (s: AgentSnapshot['raw']) => number) =>
    new Gauge({
      name, help, labelNames: ['signal'], registers,
      collect() {
        const s = source.snapshot();
        this.set({ signal: 'raw' }, pick(s.raw));
        this.set({ signal: 'smoothed' }, pick(s.smoothed));
      },
    });
  signalGauge('bso_agent_cpu_ratio', "CPU used by the container relative to its CPU limit (1 = the whole limit), raw sample and EWMA.", (s) => s.cpu);
  signalGauge('bso_agent_memory_ratio', "Memory used by the container (without page cache) relative to its memory limit.", (s) => s.memory);
  signalGauge('bso_agent_load_ratio', 'The pressure the thresholds act on (BSO_AGENT_METRIC; with proportional weighting the CPU part is the foreign CPU).', (s) => s.load);
  signalGauge('bso_agent_foreign_cpu_ratio', "CPU used in the container by anything but the replica's own process, relative to the CPU limit.", (s) => s.foreignCpu);
  signalGauge('bso_agent_throttled_ratio', 'Share of CFS periods in which the container ran out of its CPU quota (cpu.stat).', (s) => s.throttled);
  signalGauge('bso_agent_stalled_ratio', 'Share of wall time the container spent throttled, waiting for its next CFS period (cpu.stat).', (s) => s.stalled);
  new Gauge({
    name: 'bso_agent_capacity_ratio', help: "The replica's capacity: the share of its CPU not taken by other work, times its CPUs over the spec's.", registers,
    collect() { this.set(source.snapshot().capacity); },
  });
  new Gauge({
    name: 'bso_agent_latency_factor_ratio', help: 'How much the service time beyond twice the baseline lowers the weight (1 = not at all).', registers,
    collect() { this.set(source.snapshot().latencyFactor); },
  });
  new Gauge({
    name: 'bso_agent_service_time_seconds', help: 'Service time (p90 of a window of requests): recent (peak-EWMA) and the baseline it is compared with.', labelNames: ['signal'], registers,
    collect() {
      const s = source.snapshot();
      this.reset();
      if (s.serviceTimeMs !== undefined) this.set({ signal: 'recent' }, s.serviceTimeMs / 1000);
      if (s.baselineServiceTimeMs !== undefined) this.set({ signal: 'baseline' }, s.baselineServiceTimeMs / 1000);
    },
  });
  new Gauge({
    name: 'bso_agent_concurrency', help: 'Requests in flight the replica takes (the maxconn its agent reports, shared among the HAProxy instances that ask; 0 = no limit sent).', registers,
    collect() { this.set(source.snapshot().concurrency); },
  });
  new Gauge({
    name: 'bso_agent_haproxy_instances', help: 'HAProxy instances that asked the agent in the last 10 s.', registers,
    collect() { this.set(source.snapshot().haproxyInstances); },
  });

  const thresholds = new Gauge({ name: 'bso_agent_threshold_ratio', help: 'Hysteresis thresholds: maint at or above, ready at or below.', labelNames: ['threshold'], registers });
  thresholds.set({ threshold: 'maint' }, source.thresholds.maintAt / 100);
  thresholds.set({ threshold: 'ready' }, source.thresholds.readyAt / 100);

  new Gauge({
    name: 'bso_agent_state', help: 'The agent state: 1 for the current one (ready, maint, drain).', labelNames: ['state'], registers,
    collect() {
      const current = source.snapshot().state;
      for (const state of AGENT_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bso_agent_weight_ratio', help: "Weight reported to HAProxy relative to the server's configured weight (0 unless ready).", registers,
    collect() { this.set(source.snapshot().weightPercent / 100); },
  });
  new Gauge({
    name: 'bso_agent_state_changed_timestamp_seconds', help: 'When the agent entered its current state (Unix time).', registers,
    collect() { this.set(source.snapshot().stateSinceEpochMs / 1000); },
  });
  new Gauge({
    name: 'bso_agent_cpu_limit_cores', help: 'CPUs the container may use: its quota, else its cpuset, else the machine.', registers,
    collect() { this.set(source.snapshot().cpuLimitCores); },
  });
  new Gauge({
    name: 'bso_agent_memory_limit_bytes', help: "The container's memory limit, or the machine's memory when it has none.", registers,
    collect() { this.set(source.snapshot().memoryLimitBytes); },
  });
  new Gauge({
    name: 'bso_agent_open_connections', help: 'Agent-check connections open now.', registers,
    collect() { this.set(source.snapshot().openConnections); },
  });
  new Gauge({
    name: 'bso_agent_info', help: 'How the agent measures: probe (cgroup-v1, cgroup-v2, host) and metric.', labelNames: ['probe', 'metric'], registers,
    collect() {
      this.reset();
      this.set({ probe: source.snapshot().probe, metric: source.metric }, 1);
    },
  });

  // Counters mirror the worker's cumulative counts; a restarted worker starts again from 0.
  const mirror = (counter: Counter<string>, labels: Record<string, string>, key: string, value: number, seen: Map<string, number>) => {
    const before = seen.get(key) ?? 0;
    const delta = value >= before ? value - before : value;
    counter.inc(labels, delta);
    seen.set(key, value);
  };
  const seen = new Map<string, number>();
  new Counter({
    name: 'bso_agent_replies_total', help: 'Agent-check replies sent, by state.', labelNames: ['state'], registers,
    collect() {
      const replies = source.snapshot().replies;
      for (const state of AGENT_STATES) mirror(this, { state }, `reply:${state}`, replies[state], seen);
    },
  });
  new Counter({
    name: 'bso_agent_transitions_total', help: 'Agent state changes, by from and to state.', labelNames: ['from', 'to'], registers,
    collect() {
      const transitions = source.snapshot().transitions;
      for (const [from, to] of TRANSITIONS) mirror(this, { from, to }, `t:${from}>${to}`, transitions[`${from}>${to}`] ?? 0, seen);
    },
  });
  const simple = (name: string, help: string, value: (s: AgentSnapshot) => number) =>
    new Counter({ name, help, registers, collect() { mirror(this, {}, name, value(source.snapshot()), seen); } });
  simple('bso_agent_samples_total', 'cgroup samples taken.', (s) => s.samples);
  simple('bso_agent_probe_errors_total', 'cgroup samples that could not be read (the previous values were kept).', (s) => s.probeErrors);
  simple('bso_agent_socket_errors_total', 'Agent-check sockets that failed (e.g. reset by the peer).', (s) => s.socketErrors);
  new Counter({
    name: 'bso_agent_restarts_total', help: 'Times the agent worker thread was restarted after it died.', registers,
    collect() { mirror(this, {}, 'restarts', source.restarts(), seen); },
  });

  const requests = new Counter({ name: 'bso_api_requests_total', help: 'HTTP requests served, by route, method and status code.', labelNames: ['route', 'method', 'code'], registers });
  const duration = new Histogram({
    name: 'bso_api_request_duration_seconds', help: 'HTTP request duration, by route.', labelNames: ['route'], registers,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const inFlight = new Gauge({ name: 'bso_api_requests_in_flight', help: 'HTTP requests being served now.', registers });

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    inFlight.inc();
    res.once('close', () => {
      inFlight.dec();
      const route = req.route ? String(req.route.path) : 'other';
      const method = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'].includes(req.method) ? req.method : 'other';
      requests.inc({ route, method, code: String(res.statusCode) });
      duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, middleware };
}
