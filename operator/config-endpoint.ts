// The operator's side of the config protocol (see protocol.ts): serves each BalancedService's
// rendered HAProxy config to its supervisor with ETag and long-poll, and receives the status
// reports. A plain (req, res, next) handler: mount it in express (app.use(endpoint.handle)) or
// call it from http.createServer. The operator calls notify(name) when a config may have changed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagOf, hashOfEtag, MAX_STATUS_BYTES, parseWait, statusReportProblem, type StatusReport } from '../contract/supervisor-protocol.js';

export interface ServedConfig {
  text: string;
  /** hashConfigText(text): the supervisor checks it against the bytes it receives. */
  hash: string;
}

export interface ConfigEndpointOptions {
  /** The bearer token every supervisor sends (a function, so it can be rotated). */
  token: string | (() => string);
  configFor(name: string): ServedConfig | undefined;
  onStatus(name: string, report: StatusReport): void | Promise<void>;
}

export interface ConfigEndpoint {
  /** Handles /v1/haproxy/<name>/config and /status; anything else goes to next() (or 404 without next). */
  handle(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** Re-checks the long-polls waiting for `name` (every name when omitted). */
  notify(name?: string): void;
  /** Answers every waiting long-poll with 304 (e.g. on shutdown). */
  close(): void;
  /** How many long-polls are waiting. */
  waiting(): number;
}

const ROUTE = /^\/v1\/haproxy\/([a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)\/(config|status)$/;

interface Waiter { name: string; known: string | undefined; res: ServerResponse; timer: NodeJS.Timeout; done: () => void }

export function createConfigEndpoint(options: ConfigEndpointOptions): ConfigEndpoint {
  const waiters = new Set<Waiter>();

  function authorized(req: IncomingMessage): boolean {
    const expected = typeof options.token === 'function' ? options.token() : options.token;
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!match || expected === '') return false;
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(match[1]!), digest(expected));
  }

  function sendConfig(res: ServerResponse, config: ServedConfig): void {
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      etag: etagOf(config.hash),
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(config.text),
    });
    res.end(config.text);
  }

  function answerConfig(req: IncomingMessage, res: ServerResponse, name: string, url: URL): void {
    const known = hashOfEtag(req.headers['if-none-match']);
    const current = options.configFor(name);
    if (!current) return sendJson(res, 404, { code: 'BSO_NOT_FOUND', message: `no HAProxy config for ${name}` });
    if (current.hash !== known) return sendConfig(res, current);
    const waitMs = parseWait(url.searchParams.get('wait'));
    if (waitMs === 0) return notModified(res, current.hash);
    const waiter: Waiter = {
      name, known, res,
      timer: setTimeout(() => { waiter.done(); notModified(res, current.hash); }, waitMs),
      done: () => { clearTimeout(waiter.timer); waiters.delete(waiter); },
    };
    waiters.add(waiter);
    res.on('close', waiter.done);
  }

  function recheck(waiter: Waiter): void {
    const current = options.configFor(waiter.name);
    if (current && current.hash === waiter.known) return;
    waiter.done();
    if (!current) sendJson(waiter.res, 404, { code: 'BSO_NOT_FOUND', message: `no HAProxy config for ${waiter.name}` });
    else sendConfig(waiter.res, current);
  }

  async function answerStatus(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    let body: string;
    try {
      body = await readBody(req, MAX_STATUS_BYTES);
    } catch {
      return sendJson(res, 413, { code: 'BSO_USAGE', message: `a status report has at most ${MAX_STATUS_BYTES} bytes` });
    }
    let report: unknown;
    try {
      report = JSON.parse(body);
    } catch {
      return sendJson(res, 400, { code: 'BSO_USAGE', message: 'the body is not JSON' });
    }
    const problem = statusReportProblem(report);
    if (problem) return sendJson(res, 400, { code: 'BSO_USAGE', message: `status report: ${problem}` });
    try {
      await options.onStatus(name, report as StatusReport);
    } catch (error) {
      return sendJson(res, 500, { code: 'BSO_INTERNAL', message: (error as Error).message });
    }
    res.writeHead(204).end();
  }

  return {
    handle(req, res, next) {
      const raw = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const url = new URL(raw, 'http://endpoint.invalid');
      const route = ROUTE.exec(url.pathname);
      if (!route) {
        if (next) return next();
        return sendJson(res, 404, { code: 'BSO_NOT_FOUND', message: 'no such path' });
      }
      const [, name, what] = route as unknown as [string, string, 'config' | 'status'];
      const method = what === 'config' ? 'GET' : 'PUT';
      if (req.method !== method && !(what === 'config' && req.method === 'HEAD')) {
        res.setHeader('allow', method);
        return sendJson(res, 405, { code: 'BSO_USAGE', message: `use ${method}` });
      }
      if (!authorized(req)) {
        res.setHeader('www-authenticate', 'Bearer realm="bso"');
        return sendJson(res, 401, { code: 'BSO_UNAUTHORIZED', message: 'a valid bearer token is required' });
      }
      if (what === 'config') return answerConfig(req, res, name, url);
      answerStatus(req, res, name).catch((error: unknown) => next?.(error));
    },
    notify(name) {
      for (const waiter of [...waiters]) if (name === undefined || waiter.name === name) recheck(waiter);
    },
    close() {
      for (const waiter of [...waiters]) {
        waiter.done();
        notModified(waiter.res, waiter.known ?? '');
      }
    },
    waiting: () => waiters.size,
  };
}

function notModified(res: ServerResponse, hash: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(304, { etag: etagOf(hash), 'cache-control': 'no-store' }).end();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
