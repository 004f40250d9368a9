// Helpers for the operator fault tests: the operator as a child process (from source, Docker
// reached through a DockerApiProxy), specs stored straight into the Swarm, and the state of
// everything a BalancedService owns, normalized (ids and timestamps left out) to compare runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import Docker from 'dockerode';
import { parseBalancedServices } from '../../../crd/parse-spec.js';
import { SwarmSpecStore } from '../../../operator/swarm/spec-store.js';
import { LABEL_OWNER } from '../../../contract/names.js';
import { ROOT, httpGet, waitFor } from '../../e2e/support.js';
import type { DockerApiProxy } from './docker-api-proxy.js';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface SpecOptions { name: string; replicas: number; appPort: number; statsPort: number }

/** examples/hello.yaml under another name and ports, stored as the CLI's `bso apply` stores it. */
export async function putSpec(options: SpecOptions): Promise<void> {
  const text = `apiVersion: bso.dev/v1alpha1
kind: BalancedService
metadata:
  name: ${options.name}
spec:
  image: bso-hello-api:latest
  replicas: ${options.replicas}
  port: 8080
  resources: { cpus: 0.25, memory: 128Mi }
  haproxy:
    port: ${options.appPort}
    statsPort: ${options.statsPort}
`;
  const parsed = parseBalancedServices(text, `${options.name}.yaml`);
  if (!parsed.ok) throw new Error(`test spec invalid: ${JSON.stringify(parsed.issues)}`);
  await new SwarmSpecStore(docker).put(parsed.specs[0]!.object);
}

export interface OperatorChild { child: ChildProcess; url: string; exited: Promise<void>; stop(signal?: NodeJS.Signals): Promise<void> }

/** `bso operator` from source, its Docker calls going to dockerHost. */
export function startOperatorChild(options: { port: number; dockerHost: string; logFile: string; resync?: string; args?: string[] }): OperatorChild {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const args = ['--import', 'tsx', 'test/faults/bso-from-source.ts', 'operator', '--backend=swarm', '--listen', `0.0.0.0:${options.port}`, '--resync', options.resync ?? '5s', ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_HOST: options.dockerHost } });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child, exited,
    url: `http://127.0.0.1:${options.port}`,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function waitHealthy(operator: OperatorChild, timeoutMs = 60_000): Promise<number> {
  const { ms } = await waitFor('the operator to be ready (/readyz)', timeoutMs, () => httpGet(`${operator.url}/readyz`).then((r) => r.status === 200), 200);
  return ms;
}

export async function metricsOf(operator: OperatorChild): Promise<string> {
  return (await httpGet(`${operator.url}/metrics`)).body;
}

/** The sum of a metric's samples whose labels match `labels` (a substring of the label set). */
export function metricSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name && (match[2] ?? '').includes(labels)) sum += Number(match[3]);
  }
  return sum;
}

interface Raw { kind: string; id: string; name: string; labels: Record<string, string>; spec: unknown }

/** Every service, network, secret and config whose name starts with `name-` or that `name` owns. */
export async function objectsOf(name: string): Promise<Raw[]> {
  const [services, networks, secrets, configs] = await Promise.all([docker.listServices(), docker.listNetworks(), docker.listSecrets(), docker.listConfigs()]);
  const all: Raw[] = [
    ...services.map((s) => ({ kind: 'service', id: s.ID, name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {}, spec: s.Spec })),
    ...networks.map((n) => ({ kind: 'network', id: n.Id, name: n.Name, labels: n.Labels ?? {}, spec: { Driver: n.Driver, Attachable: n.Attachable, Scope: n.Scope, Labels: n.Labels } })),
    ...secrets.map((s) => ({ kind: 'secret', id: s.ID, name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {}, spec: s.Spec })),
    ...configs.map((c) => ({ kind: 'config', id: c.ID, name: (c.Spec as { Name?: string })?.Name ?? '', labels: (c.Spec as { Labels?: Record<string, string> })?.Labels ?? {}, spec: { ...(c.Spec as object), Data: undefined } })),
  ];
  return all.filter((o) => o.labels[LABEL_OWNER] === name || o.name.startsWith(`${name}-`) || o.name.startsWith(`bso-spec-${name}-`));
}

/**
 * The objects of `name` as sorted JSON lines, ids replaced by names: equal for two runs that
 * converged to the same state.
 */
export async function normalizedState(name: string): Promise<string[]> {
  const objects = await objectsOf(name);
  const [networks, secrets, configs] = await Promise.all([docker.listNetworks(), docker.listSecrets(), docker.listConfigs()]);
  const names = new Map<string, string>([
    ...networks.map((n) => [n.Id, `network:${n.Name}`] as [string, string]),
    ...secrets.map((s) => [s.ID, `secret:${s.Spec?.Name}`] as [string, string]),
    ...configs.map((c) => [c.ID, `config:${(c.Spec as { Name?: string })?.Name}`] as [string, string]),
  ]);
  const replaceIds = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' && names.has(v) ? names.get(v) : v));
  return objects.map((o) => `${o.kind} ${o.name} ${JSON.stringify(replaceIds(o.spec))}`).sort();
}

/** Removes what the operator created for `name` (services, then networks and secrets). */
export async function removeOwnedObjects(name: string, withSpec = false): Promise<void> {
  const objects = await objectsOf(name);
  for (const s of objects.filter((o) => o.kind === 'service')) await docker.getService(s.id).remove().catch(() => undefined);
  for (const s of objects.filter((o) => o.kind === 'secret')) await docker.getSecret(s.id).remove().catch(() => undefined);
  if (withSpec) for (const c of objects.filter((o) => o.kind === 'config')) await docker.getConfig(c.id).remove().catch(() => undefined);
  await waitFor(`the networks of ${name} to be removable`, 60_000, async () => {
    const left = (await objectsOf(name)).filter((o) => o.kind === 'network');
    for (const n of left) await docker.getNetwork(n.id).remove().catch(() => undefined);
    return (await objectsOf(name)).filter((o) => o.kind === 'network').length === 0;
  }, 500);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Waits until the proxy has seen writes and then none for quietMs. */
export async function waitForQuiet(proxy: DockerApiProxy, quietMs: number, timeoutMs = 120_000): Promise<number> {
  let seen = -1;
  let since = Date.now();
  const { ms } = await waitFor('the operator to stop writing', timeoutMs, async () => {
    if (proxy.writes !== seen) { seen = proxy.writes; since = Date.now(); }
    return seen > 0 && Date.now() - since >= quietMs;
  }, 250);
  return ms - quietMs;
}

export async function inspectService(name: string): Promise<{ ID: string; Version: { Index: number }; Spec: Docker.ServiceSpec & { Name: string; Labels: Record<string, string>; Mode: { Replicated: { Replicas: number } } } }> {
  return (await docker.getService(name).inspect()) as never;
}

/** A foreign writer: changes a service the way `docker service update` does (read, then update at that version). */
export async function updateServiceByHand(name: string, change: (spec: Record<string, unknown> & { Labels: Record<string, string>; Mode: { Replicated: { Replicas: number } } }) => void): Promise<number> {
  const service = await inspectService(name);
  const spec = structuredClone(service.Spec) as never as Parameters<typeof change>[0];
  change(spec);
  await docker.getService(service.ID).update({ version: service.Version.Index, ...spec } as never);
  return (await inspectService(name)).Version.Index;
}

export interface ApiObjectView { status?: { conditions: Array<{ type: string; status: string; reason: string; message: string }> }; events?: Array<{ reason: string; message: string; count: number }> }

export async function apiObject(operator: OperatorChild, name: string): Promise<{ status: number; body: ApiObjectView & { code?: string; message?: string } }> {
  const res = await httpGet(`${operator.url}/v1/balancedservices/${name}`);
  return { status: res.status, body: JSON.parse(res.body) as ApiObjectView };
}
