// Worker side of parse-runner.ts: parses each text it is sent with the real loader and
// answers with the result, the time the parse took and any exception it threw.
import { parentPort } from 'node:worker_threads';
import { parseBalancedServices, type ParseResult } from '../../../crd/parse-spec.js';
import { isBsoError } from '../../../lib/errors.js';

export interface ParseRequest { id: number; text: string; file: string }
export interface ParseAnswer {
  id: number;
  ms: number;
  result?: ParseResult;
  thrown?: { name: string; message: string; bso: boolean };
}

parentPort!.on('message', ({ id, text, file }: ParseRequest) => {
  const started = performance.now();
  let answer: ParseAnswer;
  try {
    const result = parseBalancedServices(text, file);
    answer = { id, ms: performance.now() - started, result };
  } catch (error) {
    const e = error as Error;
    answer = { id, ms: performance.now() - started, thrown: { name: e?.name ?? typeof error, message: String(e?.message ?? error), bso: isBsoError(error) } };
  }
  parentPort!.postMessage(answer);
});
