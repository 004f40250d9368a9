// Runs the spec loader in a worker thread with a deadline per text, so a parse that hangs is
// found and reported (the worker is terminated and replaced) instead of stalling the suite.
import { Worker } from 'node:worker_threads';
import type { ParseAnswer } from './parse-worker.js';

export type ParseOutcome = ParseAnswer | { id: number; hung: true; ms: number };

export class ParseRunner {
  private worker: Worker;
  private nextId = 0;

  constructor(private readonly deadlineMs: number) {
    this.worker = createWorker();
  }

  /** Parses `text`; resolves with { hung: true } when the loader did not answer within the deadline. */
  parse(text: string, file = 'fuzz.yaml'): Promise<ParseOutcome> {
    const id = this.nextId++;
    const worker = this.worker;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const onMessage = (answer: ParseAnswer) => {
        if (answer.id !== id) return;
        done();
        resolve(answer);
      };
      const onError = (error: Error) => {
        done();
        this.worker = createWorker();
        reject(error);
      };
      const timer = setTimeout(() => {
        done();
        void worker.terminate();
        this.worker = createWorker();
        resolve({ id, hung: true, ms: performance.now() - started });
      }, this.deadlineMs);
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, text, file });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Under tsx the worker is TypeScript: Node 20 workers do not inherit tsx's loader, so register it inside. */
function createWorker(): Worker {
  const url = new URL('./parse-worker.ts', import.meta.url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}
