// wrk for ceilings (closed loop: as fast as the server answers), with its summary parsed.
import { execFile } from 'node:child_process';

export interface WrkResult {
  requests: number;
  /** Answers other than 2xx/3xx and socket errors. */
  errors: number;
  seconds: number;
  /** Successful answers per second. */
  goodput: number;
}

/** Pure: wrk's text summary -> numbers. */
export function parseWrkOutput(text: string): WrkResult {
  const match = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(text);
  if (!match) throw new Error(`wrk output without a request count:\n${text}`);
  const requests = Number(match[1]);
  const seconds = Number(match[2]) * ({ us: 1e-6, ms: 1e-3, s: 1, m: 60 } as Record<string, number>)[match[3]!]!;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) + Number(socket[4]) : 0;
  const errors = non2xx + socketErrors;
  return { requests, errors, seconds, goodput: seconds > 0 ? Math.max(0, requests - non2xx) / seconds : 0 };
}

export function runWrk(url: string, options: { connections: number; seconds: number; threads?: number }): Promise<WrkResult> {
  const args = [`-t${options.threads ?? 1}`, `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '5s', url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (options.seconds + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrk ${args.join(' ')}: ${stderr || error.message}`));
      else {
        try { resolve(parseWrkOutput(stdout)); } catch (e) { reject(e as Error); }
      }
    });
  });
}
