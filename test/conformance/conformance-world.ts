// Helpers of the backend conformance suite: specs through the real loader, and converging or
// clearing a world through the real planner, exactly as the reconciler does.
import { randomBytes, randomInt } from 'node:crypto';
import { parseBalancedServices } from '../../crd/parse-spec.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { isBsoError } from '../../lib/errors.js';
import type { Backend } from '../../operator/backend.js';
import type { DesiredState } from '../../operator/core/desired-state.js';
import { planFor, type Plan } from '../../operator/core/plan.js';

export interface ConformanceSubject {
  backend: Backend;
  /** Releases what makeBackend set up (the suite removes what each test creates itself). */
  cleanup(): Promise<void>;
  /** Images the specs name; tasks need not run (the suite never asserts running tasks). */
  images?: { api?: string; haproxy?: string };
  /** A backend of the same kind whose API cannot be reached (for the BSO_BACKEND_UNAVAILABLE test). */
  unreachable?: () => Backend;
  /**
   * Stores `raw` as the spec named `name` the way this backend keeps specs, without bso's
   * validation: what an older bso or a hand edit may have left (`kubectl apply`, a Swarm config).
   */
  storeRaw(name: string, raw: Record<string, unknown>): Promise<void>;
  /**
   * The store checks types against the CRD's schema before it keeps a spec (a real kube-apiserver
   * does): only what the schema cannot say (a rule across fields) reaches bso's loader invalid.
   */
  schemaChecked?: boolean;
  /**
   * Deleting a spec lets the cluster delete what the spec owned (Kubernetes' garbage collector,
   * by ownerReferences): right after the delete, some or all of it may be gone already.
   */
  garbageCollected?: boolean;
}

export const OPERATOR_URL = 'http://127.0.0.1:9464';
/** A user label: copied onto every object bso creates. */
export const USER_LABEL = { key: 'suite', value: 'conformance' };

/** conf-<6 hex>-<suffix>: unique per test, a valid BalancedService name. */
export function uniqueName(suffix: string): string {
  return `conf-${randomBytes(3).toString('hex')}-${suffix}`;
}

export interface SpecOptions { replicas?: number; env?: Record<string, string>; /** HAProxy's port (statsPort is the next one); random by default. */ port?: number }

/** A spec loaded like a user's file (every default filled in), on random high ports. */
export function specFor(name: string, images: ConformanceSubject['images'] = {}, options: SpecOptions = {}): BalancedService {
  const port = options.port ?? randomPort();
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `\n    ${k}: "${v}"`).join('');
  const text = `apiVersion: bso.dev/v1alpha1
kind: BalancedService
metadata:
  name: ${name}
  labels:
    ${USER_LABEL.key}: ${USER_LABEL.value}
spec:
  image: ${images.api ?? 'bso-hello-api:latest'}
  replicas: ${options.replicas ?? 1}${env ? `\n  env:${env}` : ''}
  haproxy:
    image: ${images.haproxy ?? 'bso-haproxy:latest'}
    port: ${port}
    statsPort: ${port + 1}
`;
  const result = parseBalancedServices(text, `${name}.yaml`);
  if (!result.ok) throw new Error(`conformance spec invalid: ${JSON.stringify(result.issues)}`);
  return result.specs[0]!.object;
}

/** An even port in 20000-29998 (HAProxy's port; the stats port is the next one). */
export function randomPort(): number {
  return 20_000 + randomInt(0, 5000) * 2;
}

export function wantedNames(desired: DesiredState): string[] {
  return [desired.network.name, ...desired.secrets.map((s) => s.name), ...desired.services.map((s) => s.name)];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Plans and executes until nothing is left to do; transient errors (a busy network) are retried. */
export async function converge(backend: Backend, name: string, desired: DesiredState | undefined, rounds = 20): Promise<Plan> {
  let last: unknown;
  for (let round = 0; round < rounds; round++) {
    const observed = await backend.observe(name, desired ? wantedNames(desired) : []);
    const plan = planFor(name, desired, observed.owned, observed.byName);
    if (plan.actions.length === 0) return plan;
    try {
      for (const action of plan.actions) await backend.execute(action);
    } catch (error) {
      if (!isBsoError(error) || !error.transient) throw error;
      last = error;
      await sleep(1000);
    }
  }
  throw new Error(`${name} did not converge in ${rounds} rounds${last ? `: ${(last as Error).message}` : ''}`);
}

/** Removes the spec and everything it owns, plus any foreign objects a test made. */
export async function tearDown(backend: Backend, name: string, foreign: Array<{ kind: 'network' | 'secret' | 'service'; name: string }> = []): Promise<void> {
  await backend.deleteSpec(name).catch(() => false);
  await converge(backend, name, undefined);
  for (const object of foreign) {
    for (let attempt = 0; ; attempt++) {
      const found = (await backend.observe(name, [object.name])).byName.find((o) => o.kind === object.kind && o.name === object.name);
      if (!found) break;
      try {
        await backend.execute({ type: 'delete', kind: found.kind, id: found.id, name: found.name, reason: 'conformance clean-up' });
      } catch (error) {
        if (attempt >= 20 || !isBsoError(error) || !error.transient) throw error;
        await sleep(1000);
      }
    }
  }
}

/** Polls until check returns a value other than undefined (hints and counts are eventually true). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not true within ${timeoutMs / 1000}s`);
    await sleep(250);
  }
}
