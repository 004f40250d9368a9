// The operator's HTTP server: /healthz, /metrics, the BalancedService status API used by
// `bso get/describe/apply --wait`, and the config API the HAProxy supervisors pull from.
import express, { type Express, type Request, type Response } from 'express';
import type { Backend } from './backend.js';
import { toApiObject } from './api-object.js';
import type { OperatorMetrics } from './metrics.js';
import type { Reconciler } from './reconciler.js';

export interface ServerOptions {
  backend: Backend;
  reconciler: Reconciler;
  metrics: OperatorMetrics;
  /** Mounts the config API the supervisors use (operator/config-endpoint.ts). */
  mountConfigApi?: (app: Express) => void;
}

export function createOperatorApp(options: ServerOptions): Express {
  const { backend, reconciler, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => { res.type('text/plain').send('ok\n'); });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/v1/balancedservices', handle(async (_req, res) => {
    const specs = await backend.listSpecs();
    res.json({ items: specs.map((s) => toApiObject(s, reconciler.statuses.get(s.name))) });
  }));
  app.get('/v1/balancedservices/:name', handle(async (req, res) => {
    const name = String(req.params.name);
    const stored = await backend.getSpec(name);
    if (!stored) {
      res.status(404).json({ code: 'BSO_NOT_FOUND', message: `BalancedService ${name} does not exist` });
      return;
    }
    res.json(toApiObject(stored, reconciler.statuses.get(name), reconciler.events.list(name)));
  }));
  options.mountConfigApi?.(app);
  return app;
}

function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response) => {
    fn(req, res).catch((error: unknown) => {
      const code = (error as { code?: string }).code ?? 'BSO_BACKEND_UNAVAILABLE';
      res.status(503).json({ code, message: (error as Error).message });
    });
  };
}
