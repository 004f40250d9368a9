// A FAKE Kubernetes API server for tests: an in-memory HTTP(S) server that implements just the
// REST endpoints bso's Kubernetes backend uses. It is not Kubernetes: no scheduling, no
// controllers (Deployments never get pods or status unless a test writes them), no admission,
// no defaulting, no CRD schema validation, no RBAC, no garbage collection, simplified watch.
// What it does: namespaced CRUD + list with equality label selectors, resourceVersion
// conflicts on update and delete preconditions, metadata.generation bumped on spec changes,
// server-side apply (application/apply-patch+yaml; simplified: maps merge, lists are replaced,
// fields a manager applied before and no longer applies are removed, a field another manager
// set to a different value is a 409 unless forced), a Deployment controller that, like the real
// one, writes status (observedGeneration, replicas) shortly after each spec change and so bumps
// the resourceVersion behind the writer's back (deploymentController: false turns it off),
// a status subresource, no-op updates that keep the resourceVersion, a watch stream with
// history (410 Gone after compaction), and strict field validation of built-in kinds (unknown
// fields and wrong types are a 400, from client-node's generated models; wire-schema.ts).
// docs/kubernetes.md lists what it does not cover.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { matchesLabels, type LabelRequirement } from './label-selector.js';
import { MODEL_OF_KIND, schemaIssues } from './wire-schema.js';
import { discoveryOf, FAKE_RESOURCES, HttpError, parseRoute, readJson, send, verbOf, writeEvent, parseSelector, type FakeResource, type Route, type Verb } from './fake-http.js';

export { FAKE_RESOURCES, type FakeResource, type Verb } from './fake-http.js';
export interface RecordedRequest { verb: Verb; group: string; resource: string; namespace: string; name?: string; code: number }

interface Meta { name?: string; namespace?: string; uid?: string; resourceVersion?: string; generation?: number; creationTimestamp?: string; labels?: Record<string, string>; [key: string]: unknown }
export interface FakeObject { apiVersion?: string; kind?: string; metadata: Meta; status?: unknown; [key: string]: unknown }
interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED'; revision: number; resource: FakeResource; namespace: string; object: FakeObject }
interface Watcher { resource: FakeResource; namespace: string; selector: LabelRequirement[]; res: ServerResponse }

export interface FakeKubeApiServerOptions {
  /** Require `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Watch events kept for resuming watches; older resourceVersions get 410 Gone. */
  historyLimit?: number;
  /** Write Deployment status after spec changes, as kube-controller-manager does (default true). */
  deploymentController?: boolean;
  /** The PodDisruptionBudget API served: policy/v1 (default, as Kubernetes 1.25+) or only policy/v1beta1 (as 1.20). */
  policyVersion?: 'v1' | 'v1beta1';
}

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  url = '';
  private readonly objects = new Map<string, FakeObject>();
  /** What each field manager last applied to each object (key -> manager -> applied object). */
  private readonly applied = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly controllerTimers = new Set<NodeJS.Timeout>();
  private readonly history: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private revision = 1000;
  private compactedAt = 1000;
  private server: Server | undefined;
  private readonly served: readonly FakeResource[];

  private constructor(private readonly options: FakeKubeApiServerOptions) {
    this.served = FAKE_RESOURCES.filter((r) => r.group !== 'policy' || r.version === (options.policyVersion ?? 'v1'));
  }

  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    const fake = new FakeKubeApiServer(options);
    const handler = (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res);
    const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const timer of this.controllerTimers) clearTimeout(timer);
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // Test hooks: what another client (a user with kubectl, a controller) would do.

  get(plural: string, namespace: string, name: string): FakeObject | undefined {
    const found = this.objects.get(keyOf(this.resourceNamed(plural), namespace, name));
    return found && structuredClone(found);
  }

  list(plural: string, namespace?: string): FakeObject[] {
    const resource = this.resourceNamed(plural);
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(`${resource.group}/${resource.plural}/${namespace === undefined ? '' : `${namespace}/`}`))
      .map(([, o]) => structuredClone(o));
  }

  /** Changes an object as another client would (status included): new resourceVersion, a watch event. */
  write(plural: string, namespace: string, name: string, mutate: (object: FakeObject) => void): FakeObject {
    const resource = this.resourceNamed(plural);
    const existing = this.objects.get(keyOf(resource, namespace, name));
    if (!existing) throw new Error(`fake: no ${plural} ${namespace}/${name}`);
    const next = structuredClone(existing);
    mutate(next);
    return this.store(resource, namespace, name, existing, next);
  }

  /** Forgets the watch history: watches resuming from an older resourceVersion get 410 Gone. */
  compactHistory(): void {
    this.history.length = 0;
    this.compactedAt = this.revision;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    let recorded: RecordedRequest | undefined;
    try {
      if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
        throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      }
      const discovery = req.method === 'GET' ? discoveryOf(url.pathname, this.served) : undefined;
      if (discovery) { send(res, 200, discovery); return; }
      const route = parseRoute(url.pathname, this.served);
      if (!route) throw new HttpError(404, 'NotFound', `the fake API server does not serve ${url.pathname}`);
      const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const verb = verbOf(req.method ?? 'GET', route, watch);
      const resource = route.subresource ? `${route.resource.plural}/${route.subresource}` : route.resource.plural;
      recorded = { verb, group: route.resource.group, resource, namespace: route.namespace, name: route.name, code: 200 };
      this.requests.push(recorded);
      if (verb === 'patch' && req.headers['content-type'] !== 'application/apply-patch+yaml') {
        throw new HttpError(415, 'UnsupportedMediaType', `the fake API server only supports server-side apply patches, not ${req.headers['content-type']}`);
      }
      const body = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE' ? await readJson(req) : undefined;
      const selector = parseSelector(url.searchParams.get('labelSelector'));
      switch (verb) {
        case 'get': return send(res, 200, this.read(route));
        case 'list': return send(res, 200, this.listResponse(route, selector));
        case 'watch': return this.watch(route, selector, url.searchParams, req, res);
        case 'create': recorded.code = 201; return send(res, 201, this.create(route, body as FakeObject));
        case 'update': return send(res, 200, this.update(route, body as FakeObject));
        case 'patch': {
          const manager = url.searchParams.get('fieldManager');
          if (!manager) throw new HttpError(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
          const existed = this.objects.has(keyOf(route.resource, route.namespace, route.name ?? ''));
          const result = this.apply(route, body as FakeObject, manager, url.searchParams.get('force') === 'true');
          // Like kube-apiserver's authorization: an apply that creates is a patch and a create.
          if (!existed) {
            recorded.code = 201;
            this.requests.push({ ...recorded, verb: 'create' });
          }
          return send(res, existed ? 200 : 201, result);
        }
        case 'delete': return send(res, 200, this.remove(route, body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined));
      }
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(500, 'InternalError', String((error as Error).message));
      if (recorded) recorded.code = e.code;
      send(res, e.code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code });
    }
  }

  private read(route: Route): FakeObject {
    const found = this.objects.get(keyOf(route.resource, route.namespace, route.name!));
    if (!found) throw notFound(route);
    return found;
  }

  private listResponse(route: Route, selector: LabelRequirement[]) {
    const r = route.resource;
    const items = this.list(r.plural, route.namespace).filter((o) => matchesLabels(selector, o.metadata.labels))
      .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
    return { apiVersion: apiVersionOf(r), kind: `${r.kind}List`, metadata: { resourceVersion: String(this.revision) }, items };
  }

  private create(route: Route, body: FakeObject | undefined): FakeObject {
    if (route.name || route.subresource) throw new HttpError(405, 'MethodNotAllowed', 'POST goes to the collection');
    const name = body?.metadata?.name;
    if (!body || typeof name !== 'string' || !name) throw new HttpError(400, 'BadRequest', 'metadata.name is required (the fake does not support generateName)');
    checkNamespace(body, route.namespace);
    const key = keyOf(route.resource, route.namespace, name);
    if (this.objects.has(key)) throw new HttpError(409, 'AlreadyExists', `${qualified(route.resource)} "${name}" already exists`);
    const next = structuredClone(body);
    if (route.resource.statusSubresource) delete next.status;
    next.metadata = { ...next.metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    return this.store(route.resource, route.namespace, name, undefined, next);
  }

  private update(route: Route, body: FakeObject | undefined): FakeObject {
    const existing = this.read(route);
    if (!body?.metadata) throw new HttpError(400, 'BadRequest', 'the body must be an object with metadata');
    if (body.metadata.name !== route.name) throw new HttpError(400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name in the URL (${route.name})`);
    checkNamespace(body, route.namespace);
    const expected = body.metadata.resourceVersion;
    if (expected !== undefined && expected !== existing.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(route.resource)} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    let next: FakeObject;
    if (route.subresource === 'status') {
      if (!route.resource.statusSubresource) throw notFound(route);
      next = { ...structuredClone(existing), status: structuredClone(body.status) };
    } else if (route.subresource) {
      throw notFound(route);
    } else {
      next = structuredClone(body);
      if (route.resource.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
      next.metadata = { ...next.metadata, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp };
    }
    return this.store(route.resource, route.namespace, route.name!, existing, next);
  }

  /** Server-side apply, simplified (see the header). */
  private apply(route: Route, body: FakeObject | undefined, manager: string, force: boolean): FakeObject {
    if (!route.name || route.subresource) throw new HttpError(405, 'MethodNotAllowed', 'the fake applies whole objects only');
    if (!body?.metadata || body.metadata.name !== route.name) throw new HttpError(400, 'BadRequest', `the name of the object (${body?.metadata?.name}) does not match the name in the URL (${route.name})`);
    checkNamespace(body, route.namespace);
    const key = keyOf(route.resource, route.namespace, route.name);
    const existing = this.objects.get(key);
    const expected = body.metadata.resourceVersion;
    if (expected !== undefined && expected !== existing?.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(route.resource)} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const managers = this.applied.get(key) ?? new Map<string, Record<string, unknown>>();
    const config = structuredClone(body) as Record<string, unknown>;
    delete (config.metadata as Meta).resourceVersion;
    if (existing && !force) {
      const conflicts = [...managers].filter(([other]) => other !== manager)
        .flatMap(([other, theirs]) => conflictingPaths(theirs, config).map((path) => `${path} (owned by "${other}")`));
      if (conflicts.length > 0) throw new HttpError(409, 'Conflict', `Apply failed with ${conflicts.length} conflicts: ${conflicts.join(', ')}`);
    }
    const base = existing ? structuredClone(existing) as Record<string, unknown> : {};
    const next = applyFields(base, managers.get(manager) ?? {}, config) as FakeObject;
    if (route.resource.statusSubresource) {
      if (existing?.status === undefined) delete next.status;
      else next.status = structuredClone(existing.status);
    }
    next.metadata = { ...next.metadata, uid: existing?.metadata.uid ?? randomUUID(), creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    delete next.metadata.resourceVersion;
    const stored = this.store(route.resource, route.namespace, route.name, existing, next);
    managers.set(manager, config);
    this.applied.set(key, managers);
    return stored;
  }

  /** The Deployment controller's part: status after a spec change, a little later. */
  private runDeploymentController(resource: FakeResource, namespace: string, name: string): void {
    if (resource.kind !== 'Deployment' || this.options.deploymentController === false) return;
    const timer = setTimeout(() => {
      this.controllerTimers.delete(timer);
      const current = this.objects.get(keyOf(resource, namespace, name));
      if (!current) return;
      const spec = current['spec'] as { replicas?: number } | undefined;
      const status = (current.status ?? {}) as Record<string, unknown>;
      if (status['observedGeneration'] === current.metadata.generation) return;
      const next = structuredClone(current);
      next.status = { ...status, observedGeneration: current.metadata.generation, replicas: spec?.replicas ?? 1 };
      this.store(resource, namespace, name, current, next);
    }, 20);
    this.controllerTimers.add(timer);
  }

  private remove(route: Route, options: { preconditions?: { uid?: string; resourceVersion?: string } } | undefined): FakeObject {
    if (route.subresource) throw new HttpError(405, 'MethodNotAllowed', 'DELETE on a subresource');
    const existing = this.read(route);
    const pre = options?.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== existing.metadata.uid) {
      throw new HttpError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
    }
    this.objects.delete(keyOf(route.resource, route.namespace, route.name!));
    this.applied.delete(keyOf(route.resource, route.namespace, route.name!));
    const gone = structuredClone(existing);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', revision: this.revision, resource: route.resource, namespace: route.namespace, object: gone });
    return gone;
  }

  /** Stores next (created when existing is undefined): a no-op keeps the resourceVersion. */
  private store(resource: FakeResource, namespace: string, name: string, existing: FakeObject | undefined, next: FakeObject): FakeObject {
    if (next.apiVersion !== undefined && next.apiVersion !== apiVersionOf(resource)) throw new HttpError(400, 'BadRequest', `apiVersion ${next.apiVersion} does not match ${apiVersionOf(resource)}`);
    if (next.kind !== undefined && next.kind !== resource.kind) throw new HttpError(400, 'BadRequest', `kind ${next.kind} does not match ${resource.kind}`);
    const model = MODEL_OF_KIND[resource.kind];
    const issues = model ? schemaIssues(next, model) : [];
    if (issues.length > 0) throw new HttpError(400, 'BadRequest', `strict decoding error: ${issues.join(', ')}`);
    next.apiVersion = apiVersionOf(resource);
    next.kind = resource.kind;
    next.metadata = { ...next.metadata, name, namespace };
    if (existing && isDeepStrictEqual(withoutVersion(existing), withoutVersion(next))) return existing;
    const specChanged = !existing || !isDeepStrictEqual(content(existing), content(next));
    next.metadata.resourceVersion = String(++this.revision);
    if (resource.generation) next.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    else delete next.metadata.generation;
    this.objects.set(keyOf(resource, namespace, name), next);
    if (specChanged) this.runDeploymentController(resource, namespace, name);
    this.emit({ type: existing ? 'MODIFIED' : 'ADDED', revision: this.revision, resource, namespace, object: structuredClone(next) });
    return next;
  }

  private watch(route: Route, selector: LabelRequirement[], params: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    if (route.name) throw new HttpError(405, 'MethodNotAllowed', 'the fake only watches collections');
    const since = params.get('resourceVersion');
    res.writeHead(200, { 'content-type': 'application/json' });
    const watcher: Watcher = { resource: route.resource, namespace: route.namespace, selector, res };
    if (!since || since === '0') {
      for (const o of this.list(route.resource.plural, route.namespace)) {
        if (matchesLabels(selector, o.metadata.labels)) writeEvent(res, 'ADDED', o);
      }
    } else if (Number(since) < this.compactedAt) {
      writeEvent(res, 'ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${since} (${this.compactedAt})`, reason: 'Expired', code: 410 });
      res.end();
      return;
    } else {
      for (const event of this.history) {
        if (event.revision > Number(since) && this.wants(watcher, event)) writeEvent(res, event.type, event.object);
      }
    }
    this.watchers.add(watcher);
    const timeout = Number(params.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const forget = () => { clearTimeout(timer); this.watchers.delete(watcher); };
    // A client that goes away mid-watch is normal: no error escapes. (req's 'close' means
    // "request read", not "client gone": only res's 'close' tells.)
    req.on('error', forget);
    res.on('error', forget);
    res.on('close', forget);
    req.resume();
  }

  private resourceNamed(plural: string): FakeResource {
    const found = this.served.find((r) => r.plural === plural);
    if (!found) throw new Error(`fake: unknown resource ${plural}`);
    return found;
  }

  private emit(event: WatchEvent): void {
    this.history.push(event);
    const limit = this.options.historyLimit ?? 1000;
    while (this.history.length > limit) this.compactedAt = this.history.shift()!.revision;
    for (const w of this.watchers) if (this.wants(w, event)) writeEvent(w.res, event.type, event.object);
  }

  private wants(w: Watcher, event: WatchEvent): boolean {
    return w.resource === event.resource && w.namespace === event.namespace && matchesLabels(w.selector, event.object.metadata.labels);
  }
}

function checkNamespace(body: FakeObject, namespace: string): void {
  const ns = body.metadata.namespace;
  if (ns !== undefined && ns !== namespace) throw new HttpError(400, 'BadRequest', `the namespace of the object (${ns}) does not match the namespace in the URL (${namespace})`);
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** object with `applied` set, minus what `before` (this manager's last apply) had and `applied` drops. */
function applyFields(object: Record<string, unknown>, before: Record<string, unknown>, applied: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(before)) if (!(key in applied)) delete object[key];
  for (const [key, value] of Object.entries(applied)) {
    object[key] = isMap(value) && isMap(object[key]) ? applyFields(object[key] as Record<string, unknown>, isMap(before[key]) ? before[key] as Record<string, unknown> : {}, value) : structuredClone(value);
  }
  return object;
}

/** Paths where two applied configurations set different values. */
function conflictingPaths(theirs: Record<string, unknown>, ours: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(ours).flatMap(([key, value]) => {
    if (!(key in theirs) || key === 'apiVersion' || key === 'kind') return [];
    const path = `${prefix}.${key}`;
    if (isMap(value) && isMap(theirs[key])) return conflictingPaths(theirs[key] as Record<string, unknown>, value, path);
    return isDeepStrictEqual(value, theirs[key]) ? [] : [path];
  });
}


const keyOf = (r: FakeResource, namespace: string, name: string) => `${r.group}/${r.plural}/${namespace}/${name}`;
const apiVersionOf = (r: FakeResource) => (r.group ? `${r.group}/${r.version}` : r.version);
const qualified = (r: FakeResource) => (r.group ? `${r.plural}.${r.group}` : r.plural);
const notFound = (route: Route) => new HttpError(404, 'NotFound', `${qualified(route.resource)} "${route.name}" not found`);

function withoutVersion(o: FakeObject): FakeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined, generation: undefined } };
}

/** What a change to bumps metadata.generation: everything but metadata and status. */
function content(o: FakeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}
