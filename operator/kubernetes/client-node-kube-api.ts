// KubeApi through @kubernetes/client-node: its KubeConfig authenticates each request (tokens,
// certificates, credential plugins, the CA), its HTTP library sends it, its Watch streams changes.
// Objects stay in wire form (JSON as the API server sends and takes it). client-node's typed layer
// (KubernetesObjectApi, the generated models) is not used for bodies: it serializes through the
// models, which turns timestamps into Dates and silently drops fields it maps by another name. A
// NetworkPolicy's ingress `from` is one: sent through KubernetesObjectApi it would vanish, and the
// policy would admit everyone (client-node-kube-api.int.test.ts pins that bso's does not).
// Unreachable API, timeouts, 429 and 5xx -> BSO_BACKEND_UNAVAILABLE (transient);
// 409 -> BSO_CONFLICT (transient); other errors -> KubeApiError with the server's message.
import {
  createConfiguration, HttpMethod, ServerConfiguration, Watch,
  type Configuration, type KubernetesObject, type RequestContext,
} from '@kubernetes/client-node';
import { BsoError } from '../../lib/errors.js';
import { collectionPath, KubeApiError, type KubeApi, type Preconditions, type ResourceType, type WatchEventType, type WatchHandlers } from './kube-api.js';
import type { KubeTarget } from './kube-config.js';

export interface ClientNodeKubeApiOptions {
  /** Per request; watches are bounded by timeoutSeconds instead. Default 30 s. */
  timeoutMs?: number;
}

interface Answer { status: number; body: unknown }

export class ClientNodeKubeApi implements KubeApi {
  readonly namespace: string;
  private readonly client: Configuration;
  private readonly server: string;
  private readonly timeoutMs: number;
  private readonly watches = new Set<() => void>();

  constructor(private readonly target: KubeTarget, options: ClientNodeKubeApiOptions = {}) {
    this.namespace = target.namespace;
    this.server = target.config.getCurrentCluster()?.server ?? '';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.client = createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: target.config } });
  }

  /** Stops the watches still open (client-node makes a connection per request: nothing else is held). */
  close(): void {
    for (const stop of [...this.watches]) stop();
  }

  async get<T extends KubernetesObject>(type: ResourceType, name: string): Promise<T | undefined> {
    const answer = await this.send(HttpMethod.GET, this.objectPath(type, name));
    if (answer.status === 404) return undefined;
    return this.check(answer, 'GET', type, name) as T;
  }

  async list<T extends KubernetesObject>(type: ResourceType, labelSelector?: string): Promise<{ items: T[]; resourceVersion: string }> {
    const answer = await this.send(HttpMethod.GET, collectionPath(type, this.namespace), { labelSelector });
    const list = this.check(answer, 'LIST', type) as { items?: T[]; metadata?: { resourceVersion?: string } };
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubernetesObject>(type: ResourceType, object: T): Promise<T> {
    const answer = await this.send(HttpMethod.POST, collectionPath(type, this.namespace), {}, object);
    return this.check(answer, 'CREATE', type, object.metadata?.name) as T;
  }

  async replace<T extends KubernetesObject>(type: ResourceType, object: T, subresource?: 'status'): Promise<T> {
    const name = object.metadata?.name ?? '';
    const answer = await this.send(HttpMethod.PUT, this.objectPath(type, name, subresource), {}, object);
    return this.check(answer, 'UPDATE', type, name) as T;
  }

  /** An apply patch is JSON too (JSON is YAML), sent as application/apply-patch+yaml. */
  async apply<T extends KubernetesObject>(type: ResourceType, object: T, options: { fieldManager: string; force: boolean }): Promise<T> {
    const name = object.metadata?.name ?? '';
    const query = { fieldManager: options.fieldManager, ...(options.force ? { force: 'true' } : {}) };
    const answer = await this.send(HttpMethod.PATCH, this.objectPath(type, name), query, object, 'application/apply-patch+yaml');
    return this.check(answer, 'APPLY', type, name) as T;
  }

  async remove(type: ResourceType, name: string, preconditions?: Preconditions): Promise<boolean> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(preconditions ? { preconditions } : {}) };
    const answer = await this.send(HttpMethod.DELETE, this.objectPath(type, name), {}, body);
    if (answer.status === 404) return false;
    this.check(answer, 'DELETE', type, name);
    return true;
  }

  async serves(group: string, version: string): Promise<boolean> {
    const path = group ? `/apis/${encodeURIComponent(group)}/${encodeURIComponent(version)}` : `/api/${encodeURIComponent(version)}`;
    const answer = await this.send(HttpMethod.GET, path);
    if (answer.status === 404) return false;
    this.check(answer, 'DISCOVER', { group: '', version, plural: group ? `${group}/${version}` : version, kind: '' });
    return true;
  }

  /**
   * client-node's Watch. It passes on a non-200 answer as its status code only (the server's
   * message is dropped), so such an error names the code and its meaning, not the server's words.
   */
  watch<T extends KubernetesObject>(type: ResourceType, options: { labelSelector?: string; resourceVersion: string; timeoutSeconds?: number }, handlers: WatchHandlers<T>): () => void {
    let ended = false;
    let controller: AbortController | undefined;
    const stop = () => {
      ended = true;
      controller?.abort();
      this.watches.delete(stop);
    };
    const end = (error?: unknown) => {
      if (ended) return;
      stop();
      handlers.onEnd(error);
    };
    this.watches.add(stop);
    const query = {
      labelSelector: options.labelSelector || undefined, resourceVersion: options.resourceVersion || undefined,
      allowWatchBookmarks: 'true', timeoutSeconds: String(options.timeoutSeconds ?? 300),
    };
    new Watch(this.target.config).watch(collectionPath(type, this.namespace), query, (eventType: string, object: T) => {
      if (!ended && eventType && object) handlers.onEvent(eventType as WatchEventType, object);
    }, (error: unknown) => {
      if (!error) end();
      else if (typeof (error as { statusCode?: unknown }).statusCode === 'number') {
        const status = (error as { statusCode: number }).statusCode;
        end(this.toError({ status, body: { reason: (error as Error).message, message: '(client-node\'s Watch does not pass on the server\'s message)' } }, 'WATCH', type));
      } else end(this.failure(error));
    }).then((opened) => {
      controller = opened;
      if (ended) opened.abort();
    }, (error: unknown) => end(this.failure(error)));
    return stop;
  }

  private objectPath(type: ResourceType, name: string, subresource?: string): string {
    return `${collectionPath(type, this.namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  }

  /** One request: client-node's KubeConfig authenticates it and its HTTP library sends it. */
  private async send(method: HttpMethod, path: string, query: Record<string, string | undefined> = {}, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    const request: RequestContext = this.client.baseServer.makeRequestContext(path, method);
    request.setHeaderParam('Accept', 'application/json');
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') request.setQueryParam(key, value);
    if (body !== undefined) {
      request.setHeaderParam('Content-Type', contentType);
      request.setBody(JSON.stringify(body));
    }
    request.setSignal(AbortSignal.timeout(this.timeoutMs));
    try {
      await this.client.authMethods.default?.applySecurityAuthentication(request);
      const response = await this.client.httpApi.send(request).toPromise();
      const text = await response.body.text();
      return { status: response.httpStatusCode, body: parseJson(text) };
    } catch (error) {
      throw this.failure(error);
    }
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

  /**
   * What failed before an answer, as a transient BSO_BACKEND_UNAVAILABLE: no connection (or a
   * refused certificate), no answer in time, or the credentials (a credential plugin that fails).
   */
  private failure(error: unknown): BsoError {
    if (error instanceof BsoError) return error;
    const { name, code } = error as { name?: string; code?: string };
    if (name === 'AbortError' || name === 'TimeoutError') {
      return new BsoError('BSO_BACKEND_UNAVAILABLE', `the Kubernetes API at ${this.server} did not answer within ${this.timeoutMs} ms`, { transient: true, cause: error });
    }
    if (name === 'FetchError') {
      const message = (error as Error).message;
      return new BsoError('BSO_BACKEND_UNAVAILABLE', `cannot reach the Kubernetes API at ${this.server}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}; check the kubeconfig's server and context (KUBECONFIG, kubectl config current-context)`, { transient: true, cause: error });
    }
    const user = this.target.config.getCurrentUser();
    const plugin = user?.exec || (user?.authProvider && user.authProvider.name !== 'tokenFile');
    const how = plugin ? `the credential plugin of user ${user!.name} failed` : `authenticating as user ${user?.name ?? '(none)'} failed`;
    return new BsoError('BSO_BACKEND_UNAVAILABLE', `Kubernetes configuration: ${this.target.source}: ${how}: ${(error as Error).message}`, { transient: true, cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
