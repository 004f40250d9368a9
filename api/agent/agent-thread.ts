// Runs the agent in a worker thread and keeps the latest snapshot for the HTTP side. A worker
// that dies unexpectedly is restarted on the same port (with the drain flag kept).
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { AgentState } from '../policy/decide-agent-reply.js';
import type { AgentSnapshot, AgentWorkerConfig, MainToWorker, WorkerToMain } from './agent-messages.js';

export interface AgentThreadHooks {
  onSnapshot?: (snapshot: AgentSnapshot) => void;
  onTransition?: (from: AgentState, to: AgentState, loadPercent: number) => void;
  log?: (message: string) => void;
}

export interface AgentThread {
  readonly port: number;
  snapshot(): AgentSnapshot;
  restarts(): number;
  drain(): void;
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 1000;
/** The worker holds little: a cap keeps a leak from taking the replica's memory. */
const WORKER_HEAP_MB = 64;

/**
 * The worker runs from the same kind of file as this one: .js once built, .ts under tsx. Both
 * paths are written out whole: scripts/import-graph.ts finds the worker's module by them (the
 * images carry only the modules their program loads).
 */
function createWorker(options: WorkerOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = fromSource ? new URL('./agent-worker.ts', import.meta.url) : new URL('./agent-worker.js', import.meta.url);
  if (!fromSource) return new Worker(url, options);
  // Node 20 workers do not inherit tsx's loader from --import: register it inside the worker.
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

export async function startAgentThread(config: AgentWorkerConfig, hooks: AgentThreadHooks = {}): Promise<AgentThread> {
  let current = config;
  let latest: AgentSnapshot;
  let worker: Worker;
  let stopping = false;
  let restarts = 0;
  let running = false;

  const spawn = (onListening: (port: number) => void, onFatal: (message: string) => void): Worker => {
    const w = createWorker({ workerData: current, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    running = true;
    w.on('message', (message: WorkerToMain) => {
      if (message.type === 'listening') {
        latest = message.snapshot;
        onListening(message.port);
      } else if (message.type === 'snapshot') {
        latest = message.snapshot;
        hooks.onSnapshot?.(latest);
      } else if (message.type === 'transition') {
        hooks.onTransition?.(message.from, message.to, message.loadPercent);
      } else if (message.type === 'fatal') {
        onFatal(message.message);
      }
    });
    w.on('error', (error) => hooks.log?.(`agent worker failed: ${error.message}`));
    w.on('exit', (code) => {
      running = false;
      if (stopping) return;
      hooks.log?.(`agent worker exited (code ${code}); restarting in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => {
        if (stopping) return;
        restarts++;
        worker = spawn(() => hooks.log?.('agent worker restarted'), (m) => hooks.log?.(m));
      }, RESTART_DELAY_MS);
    });
    return w;
  };

  const port = await new Promise<number>((resolve, reject) => {
    worker = spawn(resolve, (message) => {
      stopping = true;
      reject(new Error(message));
    });
  });
  current = { ...current, agentPort: port };

  const post = (message: MainToWorker) => worker.postMessage(message);
  return {
    port,
    snapshot: () => latest,
    restarts: () => restarts,
    drain() {
      current = { ...current, draining: true };
      post({ type: 'drain' });
    },
    async stop() {
      stopping = true;
      if (!running) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      post({ type: 'stop' });
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
