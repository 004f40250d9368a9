// The replica's HTTP API (Express). Routes:
//   GET /         who answered: hostname, agent state and weight, load, time
//   GET /healthz  200 while the process serves
//   GET /readyz   200 once HAProxy sends it requests (its health checks passed `rise` times in a
//                 row), 503 with the reason before that and while draining (contract/readiness.ts):
//                 the orchestrator's readiness gate during a rolling update
//   GET /metrics  Prometheus text (api/metrics.ts)
//   GET /work     burns CPU for ?ms=N milliseconds (at most 1000) on the request thread: a
//                 replica "slow from its own work", for demos and benchmarks
//   GET /compute  does ?units=N units of fixed CPU work (at most 50000; one unit is 10,000 xorshift
//                 steps, about 20 us on a 2020s core): the same request costs the same CPU anywhere,
//                 so a throttled or busy replica is genuinely slower (the benchmark's request)
//   GET /sleep    answers after ?ms=N milliseconds (at most 10000) without using CPU: a slow
//                 request, e.g. to watch in-flight requests finish during shutdown
import { hostname } from 'node:os';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AgentSnapshot } from './agent/agent-messages.js';
import type { ApiMetrics } from './metrics.js';
import { READINESS_PATH } from '../contract/readiness.js';

export const MAX_WORK_MS = 1000;
export const MAX_SLEEP_MS = 10_000;
export const MAX_COMPUTE_UNITS = 50_000;
const UNIT_STEPS = 10_000;

export interface AppDeps {
  agent: () => AgentSnapshot;
  metrics: ApiMetrics;
  hostname?: string;
  /** Whether shutdown has begun. */
  draining?: () => boolean;
  /** Counts each request's service time for the agent (api/request-stats.ts). */
  countRequests?: (req: Request, res: Response, next: NextFunction) => void;
  /** Readiness for the orchestrator (contract/readiness.ts): GET /readyz. */
  readiness?: {
    /** The path HAProxy health-checks, and what to tell when one was answered. */
    healthPath: string;
    healthChecked(checker: string | undefined, status: number): void;
    state(): { ready: boolean; reason: string };
  };
  /** Delays requests as BSO_API_DELAY_FILE says (api/injected-delay.ts). */
  injectDelay?: (req: Request, res: Response, next: NextFunction) => void;
}

export function createApp(deps: AppDeps): Express {
  const host = deps.hostname ?? hostname();
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const readiness = deps.readiness;
  if (readiness) {
    app.use((req, res, next) => {
      if (req.path === readiness.healthPath) {
        // Read now: HAProxy closes as soon as it has the status line, and a destroyed socket has no address.
        const checker = req.socket.remoteAddress;
        res.once('finish', () => readiness.healthChecked(checker, res.statusCode));
      }
      next();
    });
    app.get(READINESS_PATH, (_req, res) => {
      const { ready, reason } = readiness.state();
      res.status(ready ? 200 : 503).json({ ready, reason });
    });
  }
  if (deps.countRequests) app.use(deps.countRequests);
  app.use(deps.metrics.middleware);
  if (deps.injectDelay) app.use(deps.injectDelay);

  app.get('/', (_req, res) => {
    const agent = deps.agent();
    res.json({
      hostname: host,
      state: agent.state,
      weight: agent.weightPercent,
      concurrency: agent.concurrency,
      load: {
        cpu: round(agent.smoothed.cpu),
        foreignCpu: round(agent.smoothed.foreignCpu),
        memory: round(agent.smoothed.memory),
        throttled: round(agent.smoothed.throttled),
        stalled: round(agent.smoothed.stalled),
        metric: round(agent.smoothed.load),
      },
      capacity: round(agent.capacity),
      latencyFactor: round(agent.latencyFactor),
      serviceTimeMs: agent.serviceTimeMs === undefined ? null : round(agent.serviceTimeMs),
      baselineServiceTimeMs: agent.baselineServiceTimeMs === undefined ? null : round(agent.baselineServiceTimeMs),
      time: new Date().toISOString(),
    });
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', draining: deps.draining?.() ?? false });
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      const text = await deps.metrics.registry.metrics();
      res.type(deps.metrics.registry.contentType).send(text);
    } catch (error) {
      next(error);
    }
  });

  app.get('/work', (req, res) => {
    const ms = clampMs(req.query['ms'], 10, MAX_WORK_MS);
    const until = performance.now() + ms;
    let spins = 0;
    while (performance.now() < until) spins++;
    res.json({ hostname: host, workedMs: ms, spins });
  });

  app.get('/compute', (req, res) => {
    const units = Math.floor(clampMs(req.query['units'], 1, MAX_COMPUTE_UNITS));
    res.json({ hostname: host, units, result: computeUnits(units) });
  });

  app.get('/sleep', async (req, res) => {
    const ms = clampMs(req.query['ms'], 100, MAX_SLEEP_MS);
    await new Promise((resolve) => setTimeout(resolve, ms));
    res.json({ hostname: host, sleptMs: ms });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Express recognises an error handler by its four parameters.
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  return app;
}

function clampMs(value: unknown, fallback: number, max: number): number {
  const asked = typeof value === 'string' ? Number(value) : fallback;
  return Number.isFinite(asked) ? Math.min(max, Math.max(0, asked)) : 0;
}

/** N units of CPU work whose result depends on every step, so no engine can skip it. */
export function computeUnits(units: number): number {
  let x = 0x9e3779b9 | 0;
  for (let unit = 0; unit < units; unit++) {
    for (let step = 0; step < UNIT_STEPS; step++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
  }
  return x >>> 0;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
