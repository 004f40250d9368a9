// KubeApi over Node's own http/https, with @kubernetes/client-node's types and, for credential
// plugins, its KubeConfig (kube-config.ts).
// Unreachable API, timeouts, 429 and 5xx -> BSO_BACKEND_UNAVAILABLE (transient);
// 409 -> BSO_CONFLICT (transient); other errors -> KubeApiError with the server's message.
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubernetesObject } from '@kubernetes/client-node';
import { BsoError } from '../../lib/errors.js';
import { collectionPath, KubeApiError, type KubeApi, type Preconditions, type ResourceType, type WatchEventType, type WatchHandlers } from './kube-api.js';

export interface KubeConnection {
  /** https://host:port (http:// only for tests against the fake API server). */
  server: string;
  namespace: string;
  /** PEM of the cluster's CA. */
  ca?: string;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
  /** Bearer token, read on every request (in-cluster tokens rotate). */
  token?: () => string | undefined;
  basicAuth?: { username: string; password: string };
  /** The whole Authorization header, asked for before each request (credential plugins). */
  authorization?: () => Promise<string | undefined>;
  insecureSkipTlsVerify?: boolean;
  /** Per request; watches are bounded by timeoutSeconds instead. Default 30 s. */
  timeoutMs?: number;
}

interface Answer { status: number; body: unknown }

export class HttpKubeApi implements KubeApi {
  readonly namespace: string;
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(private readonly connection: KubeConnection) {
    this.namespace = connection.namespace;
    this.base = new URL(connection.server);
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, ca: connection.ca, cert: connection.cert, key: connection.key, rejectUnauthorized: !connection.insecureSkipTlsVerify })
      : new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  async get<T extends KubernetesObject>(type: ResourceType, name: string): Promise<T | undefined> {
    const answer = await this.send('GET', this.objectPath(type, name));
    if (answer.status === 404) return undefined;
    return this.check(answer, 'GET', type, name) as T;
  }

  async list<T extends KubernetesObject>(type: ResourceType, labelSelector?: string): Promise<{ items: T[]; resourceVersion: string }> {
    const answer = await this.send('GET', collectionPath(type, this.namespace), { labelSelector });
    const list = this.check(answer, 'LIST', type) as { items?: T[]; metadata?: { resourceVersion?: string } };
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubernetesObject>(type: ResourceType, object: T): Promise<T> {
    const answer = await this.send('POST', collectionPath(type, this.namespace), {}, object);
    return this.check(answer, 'CREATE', type, object.metadata?.name) as T;
  }

  async replace<T extends KubernetesObject>(type: ResourceType, object: T, subresource?: 'status'): Promise<T> {
    const name = object.metadata?.name ?? '';
    const answer = await this.send('PUT', this.objectPath(type, name, subresource), {}, object);
    return this.check(answer, 'UPDATE', type, name) as T;
  }

  async apply<T extends KubernetesObject>(type: ResourceType, object: T, options: { fieldManager: string; force: boolean }): Promise<T> {
    const name = object.metadata?.name ?? '';
    const query = { fieldManager: options.fieldManager, ...(options.force ? { force: 'true' } : {}) };
    const answer = await this.send('PATCH', this.objectPath(type, name), query, object, 'application/apply-patch+yaml');
    return this.check(answer, 'APPLY', type, name) as T;
  }

  async remove(type: ResourceType, name: string, preconditions?: Preconditions): Promise<boolean> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(preconditions ? { preconditions } : {}) };
    const answer = await this.send('DELETE', this.objectPath(type, name), {}, body);
    if (answer.status === 404) return false;
    this.check(answer, 'DELETE', type, name);
    return true;
  }

  watch<T extends KubernetesObject>(type: ResourceType, options: { labelSelector?: string; resourceVersion: string; timeoutSeconds?: number }, handlers: WatchHandlers<T>): () => void {
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      handlers.onEnd(error);
    };
    const url = this.url(collectionPath(type, this.namespace), {
      watch: 'true', labelSelector: options.labelSelector, resourceVersion: options.resourceVersion,
      allowWatchBookmarks: 'true', timeoutSeconds: String(options.timeoutSeconds ?? 300),
    });
    let request: http.ClientRequest | undefined;
    const open = (headers: Record<string, string>) => {
      if (ended) return;
      request = this.transport().request(url, { method: 'GET', agent: this.agent, headers }, (response) => {
        if (response.statusCode !== 200) {
          readAll(response).then((text) => end(this.toError({ status: response.statusCode ?? 0, body: parseJson(text) }, 'WATCH', type)), end);
          return;
        }
        const lines = createInterface({ input: response, crlfDelay: Infinity });
        lines.on('error', end); // readline re-emits the response's errors (a stopped watch: "aborted")
        lines.on('line', (line) => {
          if (ended || !line.trim()) return;
          const event = parseJson(line) as { type?: WatchEventType; object?: T } | undefined;
          if (event?.type && event.object) handlers.onEvent(event.type, event.object);
        });
        response.on('error', end);
        response.on('end', () => end());
        response.on('close', () => end());
      });
      request.on('error', (error) => end(unavailable(error, this.base)));
      request.end();
    };
    this.headers().then(open, end);
    return () => {
      ended = true;
      request?.destroy();
    };
  }

  private objectPath(type: ResourceType, name: string, subresource?: string): string {
    return `${collectionPath(type, this.namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(this.base.href.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(key, value);
    return url;
  }

  private transport(): typeof http | typeof https {
    return this.base.protocol === 'https:' ? https : http;
  }

  private async headers(contentType?: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    const token = this.connection.token?.();
    const fromPlugin = this.connection.authorization && await this.connection.authorization();
    if (fromPlugin) headers.authorization = fromPlugin;
    else if (token) headers.authorization = `Bearer ${token}`;
    else if (this.connection.basicAuth) {
      const { username, password } = this.connection.basicAuth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    return headers;
  }

  /** An apply patch is JSON too (JSON is YAML), sent as application/apply-patch+yaml. */
  private async send(method: string, path: string, query: Record<string, string | undefined> = {}, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    const timeoutMs = this.connection.timeoutMs ?? 30_000;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = await this.headers(payload === undefined ? undefined : contentType);
    return new Promise((resolve, reject) => {
      if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
      const request = this.transport().request(this.url(path, query), { method, agent: this.agent, headers, timeout: timeoutMs }, (response) => {
        readAll(response).then((text) => resolve({ status: response.statusCode ?? 0, body: parseJson(text) }), (error) => reject(unavailable(error, this.base)));
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      request.on('error', (error) => reject(unavailable(error, this.base)));
      request.end(payload);
    });
  }

  private check(answer: Answer, verb: string, type: ResourceType, name?: string): unknown {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw this.toError(answer, verb, type, name);
  }

  private toError(answer: Answer, verb: string, type: ResourceType, name?: string): Error {
    const status = answer.body as { message?: string; reason?: string } | undefined;
    const what = `${verb} ${type.plural}${type.group ? `.${type.group}` : ''}${name ? ` ${this.namespace}/${name}` : ` in ${this.namespace}`}`;
    const message = `the Kubernetes API answered ${answer.status}${status?.reason ? ` ${status.reason}` : ''} to ${what}: ${status?.message ?? 'no message'}`;
    if (answer.status === 409) return new BsoError('BSO_CONFLICT', `${message} (will retry)`, { transient: true });
    if (answer.status === 429 || answer.status >= 500) return new BsoError('BSO_BACKEND_UNAVAILABLE', message, { transient: true });
    const hint = answer.status === 401 || answer.status === 403 ? ' (check the credentials and the RBAC rules in deploy/k8s/rbac.yaml)' : '';
    return new KubeApiError(answer.status, status?.reason ?? '', message + hint);
  }
}

/** The API server unreachable: a transient BSO_BACKEND_UNAVAILABLE naming the server and what to check. */
function unavailable(error: unknown, server: URL): BsoError {
  if (error instanceof BsoError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new BsoError('BSO_BACKEND_UNAVAILABLE', `cannot reach the Kubernetes API at ${server.origin}: ${(error as Error).message}${code && !(error as Error).message.includes(code) ? ` (${code})` : ''}; check the kubeconfig's server and context (KUBECONFIG, kubectl config current-context)`, { transient: true, cause: error });
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
