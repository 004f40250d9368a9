// A slow dependency on demand, for benchmarks and demos (docs/api.md): when BSO_API_DELAY_FILE
// names a file holding a number of milliseconds, every request but /healthz and /metrics waits
// that long before it is handled, without using CPU: a replica slow but not busy. The file is
// read at most once a second; a missing file or anything but a number from 0 to 10000 means no
// delay.
import { readFile } from 'node:fs/promises';
import type { NextFunction, Request, Response } from 'express';
import { UNCOUNTED_PATHS } from './request-stats.js';

export const MAX_INJECTED_DELAY_MS = 10_000;
const REFRESH_MS = 1000;

/** The delay a file's text asks for; 0 for anything but a whole number of ms within bounds. */
export function parseInjectedDelay(text: string): number {
  const trimmed = text.trim();
  if (!/^[0-9]{1,5}$/.test(trimmed)) return 0;
  const ms = Number(trimmed);
  return ms <= MAX_INJECTED_DELAY_MS ? ms : 0;
}

export function injectDelay(file: string, now: () => number = () => performance.now()): (req: Request, res: Response, next: NextFunction) => void {
  let delayMs = 0;
  let checkedAt = -Infinity;
  let reading: Promise<void> | undefined;
  const refresh = () => {
    reading ??= readFile(file, 'utf8').then(parseInjectedDelay, () => 0).then((ms) => { delayMs = ms; checkedAt = now(); reading = undefined; });
    return reading;
  };
  void refresh();
  return (req, _res, next) => {
    if (now() - checkedAt >= REFRESH_MS) void refresh();
    if (delayMs === 0 || UNCOUNTED_PATHS.has(req.path)) { next(); return; }
    setTimeout(next, delayMs);
  };
}
