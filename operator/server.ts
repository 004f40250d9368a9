// The operator's HTTP server, up from the process's first second: /healthz (the process lives),
// /readyz (the orchestrator answers and the first full reconcile is done), /metrics; then, once
// the backend is connected, the BalancedService status API used by `bso get/describe/apply --wait`
// (503 with the reason until then) and the config API the HAProxy supervisors pull from.
import express, { type Express, type Request, type Response } from 'express';
import type { Backend } from './backend.js';
import { toApiObject } from './api-object.js';
import type { OperatorMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import type { Reconciler } from './reconciler.js';

/** What exists once the backend is connected. */
export interface ConnectedOperator { backend: Backend; reconciler: Reconciler }

export interface ServerOptions {
  metrics: OperatorMetrics;
  readiness: Readiness;
  /** Undefined until the backend is connected. */
  connected: () => ConnectedOperator | undefined;
}

export function createOperatorApp(options: ServerOptions): Express {
  const { metrics, readiness } = options;
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => { res.type('text/plain').send('ok\n'); });
  app.get('/readyz', (_req, res) => {
    const state = readiness.state();
    res.status(state.ready ? 200 : 503).type('text/plain').send(`${state.ready ? 'ok' : `not ready: ${state.reason}`}\n`);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/v1/balancedservices', handle(options, async ({ backend, reconciler }, _req, res) => {
    const specs = await backend.listSpecs();
    res.json({ items: specs.map((s) => toApiObject(s, reconciler.statuses.get(s.name))) });
  }));
  app.get('/v1/balancedservices/:name', handle(options, async ({ backend, reconciler }, req, res) => {
    const name = String(req.params.name);
    const stored = await backend.getSpec(name);
    if (!stored) {
      res.status(404).json({ code: 'BSO_NOT_FOUND', message: `BalancedService ${name} does not exist` });
      return;
    }
    res.json(toApiObject(stored, reconciler.statuses.get(name), reconciler.events.list(name)));
  }));
  return app;
}

function handle(options: ServerOptions, fn: (operator: ConnectedOperator, req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response) => {
    const operator = options.connected();
    if (!operator) {
      res.status(503).json({ code: 'BSO_BACKEND_UNAVAILABLE', message: `the operator is not connected yet: ${options.readiness.state().reason}` });
      return;
    }
    fn(operator, req, res).catch((error: unknown) => {
      const code = (error as { code?: string }).code ?? 'BSO_BACKEND_UNAVAILABLE';
      res.status(503).json({ code, message: (error as Error).message });
    });
  };
}
