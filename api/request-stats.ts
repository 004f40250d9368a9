// Requests as the replica serves them, shared with the agent's thread through one
// SharedArrayBuffer: the main thread counts (Atomics, no locks, no messages per request), the
// agent reads the counters on its own timer and takes the difference. Counters wrap at 2^32;
// differences are taken modulo 2^32. Operational routes (/healthz, /metrics) are not counted:
// they are HAProxy's and Prometheus's, not traffic.
import type { NextFunction, Request, Response } from 'express';
import { SERVICE_TIME_BUCKETS, serviceTimeBucket, type RequestWindow } from './policy/service-time.js';

const IN_FLIGHT = 0;
const COMPLETED = 1;
const TOTAL_MS_FRACTION = 2; // total service time in units of 1/16 ms (wraps; differences only)
const FIRST_BUCKET = 3;
const SLOTS = FIRST_BUCKET + SERVICE_TIME_BUCKETS;
const TOTAL_UNIT_US = 1000 / 16;

export const UNCOUNTED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/metrics']);

export function createRequestStatsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/** Express middleware counting each request's service time (arrival to the response's end or the socket's close). */
export function countRequests(buffer: SharedArrayBuffer): (req: Request, res: Response, next: NextFunction) => void {
  const slots = new Int32Array(buffer);
  return (req, res, next) => {
    if (UNCOUNTED_PATHS.has(req.path)) { next(); return; }
    const started = performance.now();
    Atomics.add(slots, IN_FLIGHT, 1);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const us = (performance.now() - started) * 1000;
      Atomics.sub(slots, IN_FLIGHT, 1);
      Atomics.add(slots, FIRST_BUCKET + serviceTimeBucket(us), 1);
      Atomics.add(slots, TOTAL_MS_FRACTION, Math.round(us / TOTAL_UNIT_US));
      Atomics.add(slots, COMPLETED, 1);
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}

/** The agent's side: each read() returns what happened since the previous read. */
export function readRequestWindows(buffer: SharedArrayBuffer): () => RequestWindow {
  const slots = new Int32Array(buffer);
  let last = new Uint32Array(SLOTS);
  return () => {
    const now = new Uint32Array(SLOTS);
    for (let i = 0; i < SLOTS; i++) now[i] = Atomics.load(slots, i) >>> 0;
    const diff = (i: number) => (now[i]! - last[i]!) >>> 0;
    const window: RequestWindow = {
      completed: diff(COMPLETED),
      buckets: Array.from({ length: SERVICE_TIME_BUCKETS }, (_, b) => diff(FIRST_BUCKET + b)),
      totalUs: diff(TOTAL_MS_FRACTION) * TOTAL_UNIT_US,
      inFlight: Math.max(0, Atomics.load(slots, IN_FLIGHT)),
    };
    last = now;
    return window;
  };
}
