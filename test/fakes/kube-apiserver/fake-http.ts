// HTTP plumbing of the FAKE Kubernetes API server: routes, verbs, JSON bodies, Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseLabelSelector, SelectorError, type LabelRequirement } from './label-selector.js';

export interface FakeResource { group: string; version: string; plural: string; kind: string; generation: boolean; statusSubresource: boolean }

export const FAKE_RESOURCES: readonly FakeResource[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service', generation: false, statusSubresource: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', generation: false, statusSubresource: false },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', generation: false, statusSubresource: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', generation: false, statusSubresource: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', generation: false, statusSubresource: false },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', generation: false, statusSubresource: false },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', generation: true, statusSubresource: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', generation: true, statusSubresource: false },
  { group: 'bso.dev', version: 'v1alpha1', plural: 'balancedservices', kind: 'BalancedService', generation: true, statusSubresource: true },
  // One of the two, as the fake's policyVersion option says: Kubernetes 1.25+ serves only v1, 1.20 only v1beta1.
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', generation: true, statusSubresource: true },
  { group: 'policy', version: 'v1beta1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', generation: true, statusSubresource: true },
];

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface Route { resource: FakeResource; namespace: string; name?: string; subresource?: string }

export class HttpError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) { super(message); }
}

export function parseRoute(path: string, served: readonly FakeResource[] = FAKE_RESOURCES): Route | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') [group, version, rest] = ['', parts[1] ?? '', parts.slice(2)];
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
  else return undefined;
  if (rest[0] !== 'namespaces' || !rest[1] || !rest[2] || rest.length > 5) return undefined;
  const resource = served.find((r) => r.group === group && r.version === version && r.plural === rest[2]);
  return resource && { resource, namespace: rest[1], name: rest[3], subresource: rest[4] };
}

/**
 * API discovery, as the real server answers GET /api/v1 and GET /apis/GROUP/VERSION: the
 * resources of that group-version the fake serves (clients such as client-node's generic
 * KubernetesObjectApi look up a kind's plural there). undefined for any other path.
 */
export function discoveryOf(path: string, servedResources: readonly FakeResource[] = FAKE_RESOURCES): { kind: 'APIResourceList'; apiVersion: 'v1'; groupVersion: string; resources: unknown[] } | undefined {
  const parts = path.split('/').filter(Boolean);
  const [group, version] = parts[0] === 'api' && parts.length === 2 ? ['', parts[1]!] : parts[0] === 'apis' && parts.length === 3 ? [parts[1]!, parts[2]!] : [];
  if (version === undefined) return undefined;
  const served = servedResources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
    resources: served.flatMap((r) => [
      { name: r.plural, singularName: '', namespaced: true, kind: r.kind, verbs },
      ...(r.statusSubresource ? [{ name: `${r.plural}/status`, singularName: '', namespaced: true, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ]),
  };
}

export function verbOf(method: string, route: Route, watch: boolean): Verb {
  switch (method) {
    case 'GET': return route.name ? 'get' : watch ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    default: throw new HttpError(405, 'MethodNotAllowed', `the fake API server does not implement ${method}`);
  }
}

export function parseSelector(text: string | null): LabelRequirement[] {
  try {
    return parseLabelSelector(text);
  } catch (error) {
    if (error instanceof SelectorError) throw new HttpError(400, 'BadRequest', error.message);
    throw error;
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BadRequest', 'the body is not JSON');
  }
}

export function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function writeEvent(res: ServerResponse, type: string, object: unknown): void {
  res.write(`${JSON.stringify({ type, object })}\n`);
}
