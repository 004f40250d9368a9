// The supervisor's side of the config protocol: long-polls the operator for this HAProxy's
// config and hands every new one to `onConfig`. While the operator is away it backs off and
// HAProxy keeps serving the last good config.
import { hashConfigText } from '../render/config-hash.js';
import { CONFIG_PATH, etagOf, hashOfEtag } from '../../contract/supervisor-protocol.js';

export interface ConfigClientOptions {
  operatorUrl: string;
  name: string;
  token: () => string;
  /** Long-poll duration asked of the operator. */
  waitMs: number;
  onConfig: (text: string, hash: string) => void;
  /** Called after every exchange: undefined when it worked, the error otherwise. */
  onResult?: (error: Error | undefined) => void;
  signal: AbortSignal;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class FetchError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'FetchError';
    this.status = status;
  }
}

/** Runs until the signal aborts. */
export async function pullConfigs(options: ConfigClientOptions): Promise<void> {
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let known: string | undefined;
  let backoff = minBackoff;
  const url = new URL(CONFIG_PATH(options.name), options.operatorUrl);
  url.searchParams.set('wait', `${Math.round(options.waitMs)}ms`);
  while (!options.signal.aborted) {
    try {
      const received = await fetchOnce(url, known, options);
      options.onResult?.(undefined);
      backoff = minBackoff;
      if (received) {
        known = received.hash;
        options.onConfig(received.text, received.hash);
      }
    } catch (error) {
      if (options.signal.aborted) return;
      options.onResult?.(error as Error);
      await sleep(backoff * (0.5 + Math.random() / 2), options.signal);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  }
}

async function fetchOnce(url: URL, known: string | undefined, options: ConfigClientOptions): Promise<{ text: string; hash: string } | undefined> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token()}` };
  if (known !== undefined) headers['if-none-match'] = etagOf(known);
  const timeout = AbortSignal.timeout(options.waitMs + 15_000);
  const response = await fetch(url, { headers, signal: AbortSignal.any([options.signal, timeout]) });
  if (response.status === 304) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status !== 200) {
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    throw new FetchError(`GET ${url.pathname}: HTTP ${response.status} ${detail}`.trim(), response.status);
  }
  const text = await response.text();
  const hash = hashOfEtag(response.headers.get('etag'));
  if (hash === undefined) throw new FetchError(`GET ${url.pathname}: the answer has no ETag`);
  if (hashConfigText(text) !== hash) throw new FetchError(`GET ${url.pathname}: the config does not match its ETag (truncated or not a bso operator)`);
  return { text, hash };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
