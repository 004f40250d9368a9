// Rules the JSON Schema cannot express. They run on the defaulted document, also when other
// parts are invalid, so every problem is reported at once; each rule skips values of the wrong type.
import { parseDuration } from './duration.js';
import { parseMemory } from './quantity.js';
import type { RawIssue } from './schema-issues.js';

type Path = string[];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Environment variables bso sets itself in every replica. */
export const RESERVED_ENV = /^(PORT|AGENT_PORT|BSO_.*)$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Longest DNS-1123 subdomain, the prefix of a label or annotation key. */
const MAX_KEY_PREFIX = 253;
const MAX_ENV_NAME = 255;
/** Label keys bso sets on every object it owns (contract/names.ts): a spec may not set them. */
const RESERVED_LABELS = new Set(['app.kubernetes.io/managed-by']);
const MIN_MEMORY_BYTES = 6 * 2 ** 20;

/** Duration fields with the smallest and largest value that makes sense. */
export const DURATION_LIMITS: ReadonlyArray<[Path, number, number]> = [
  [['spec', 'agent', 'interval'], 100, 3_600_000],
  [['spec', 'agent', 'sampleInterval'], 50, 60_000],
  [['spec', 'agent', 'smoothing'], 0, 600_000],
  [['spec', 'agent', 'minMaintTime'], 0, 3_600_000],
  [['spec', 'healthCheck', 'interval'], 100, 3_600_000],
  [['spec', 'haproxy', 'slowstart'], 0, 3_600_000],
  [['spec', 'haproxy', 'timeouts', 'connect'], 1, 3_600_000],
  [['spec', 'haproxy', 'timeouts', 'client'], 1, 86_400_000],
  [['spec', 'haproxy', 'timeouts', 'server'], 1, 86_400_000],
  [['spec', 'haproxy', 'timeouts', 'queue'], 1, 3_600_000],
];

/** The limits of one duration field in milliseconds, e.g. durationLimitsOf('spec.agent.smoothing'). */
export function durationLimitsOf(path: string): { minMs: number; maxMs: number } {
  const found = DURATION_LIMITS.find(([p]) => p.join('.') === path);
  if (!found) throw new Error(`no duration limits for ${path}`);
  return { minMs: found[1], maxMs: found[2] };
}

/** The thresholds' rule: ready strictly below maint (a band, so the state cannot flap at one value). */
export function thresholdsProblem(maint: number, ready: number, maintName: string): string | undefined {
  return ready >= maint ? `must be lower than ${maintName} (${maint})` : undefined;
}

export function semanticIssues(doc: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  const fail = (path: Path, message: string, target: RawIssue['target'] = 'value') => issues.push({ path, target, message });

  const maint = get(doc, ['spec', 'agent', 'thresholds', 'maint']);
  const ready = get(doc, ['spec', 'agent', 'thresholds', 'ready']);
  const order = typeof maint === 'number' && typeof ready === 'number' ? thresholdsProblem(maint, ready, 'spec.agent.thresholds.maint') : undefined;
  if (order) fail(['spec', 'agent', 'thresholds', 'ready'], order);

  distinctPorts(doc, ['spec', 'port'], ['spec', 'agent', 'port'], 'both listen in each replica', issues);
  distinctPorts(doc, ['spec', 'haproxy', 'port'], ['spec', 'haproxy', 'statsPort'], 'both listen in the HAProxy container', issues);

  for (const [path, min, max] of DURATION_LIMITS) {
    const text = get(doc, path);
    if (typeof text !== 'string') continue;
    const ms = parseDuration(text);
    if (ms === undefined) continue; // the schema's pattern already reported it
    if (ms < min) fail(path, `must be at least ${formatMs(min)}`);
    if (ms > max) fail(path, `must be at most ${formatMs(max)}`);
  }

  if (get(doc, ['spec', 'rollout', 'maxSurge']) === 0 && get(doc, ['spec', 'rollout', 'maxUnavailable']) === 0) {
    fail(['spec', 'rollout', 'maxUnavailable'], 'must be at least 1 when spec.rollout.maxSurge is 0: a rollout could replace no replica');
  }

  const cpus = get(doc, ['spec', 'resources', 'cpus']);
  if (typeof cpus === 'number' && Math.abs(cpus * 1000 - Math.round(cpus * 1000)) > 1e-6) {
    fail(['spec', 'resources', 'cpus'], 'must have at most 3 decimals (e.g. 0.5 or 1.25)');
  }
  const memory = get(doc, ['spec', 'resources', 'memory']);
  if (typeof memory === 'string') {
    const bytes = parseMemory(memory);
    if (bytes !== undefined && bytes < MIN_MEMORY_BYTES) fail(['spec', 'resources', 'memory'], 'must be at least 6Mi (Docker refuses smaller limits)');
  }

  const env = get(doc, ['spec', 'env']);
  if (isRecord(env)) {
    for (const name of Object.keys(env)) {
      if (name.length > MAX_ENV_NAME) fail(['spec', 'env', name], `must be at most ${MAX_ENV_NAME} characters long`, 'key');
      else if (!ENV_NAME.test(name)) fail(['spec', 'env', name], 'must be a variable name: letters, digits and _, not starting with a digit', 'key');
      else if (RESERVED_ENV.test(name)) fail(['spec', 'env', name], 'is set by bso itself (PORT, AGENT_PORT and BSO_* are reserved)', 'key');
    }
  }
  for (const field of ['labels', 'annotations']) {
    const map = get(doc, ['metadata', field]);
    if (!isRecord(map)) continue;
    for (const key of Object.keys(map)) {
      const slash = key.indexOf('/');
      if (slash > MAX_KEY_PREFIX || key.length > MAX_KEY_PREFIX + 64) {
        fail(['metadata', field, key], `must have a prefix of at most ${MAX_KEY_PREFIX} characters and a name of at most 63`, 'key');
      } else if (!QUALIFIED_NAME.test(key)) {
        fail(['metadata', field, key], 'must be a qualified name such as app or example.com/team (letters, digits, - _ . and one optional prefix/)', 'key');
      } else if (key.startsWith('bso.dev/') || RESERVED_LABELS.has(key)) {
        fail(['metadata', field, key], 'is reserved: bso sets it on the objects it owns', 'key');
      }
    }
  }
  return issues;
}

/** A spec file must not carry status (the loader removes it before validating the rest). */
export function statusIssues(doc: unknown): RawIssue[] {
  if (!isRecord(doc) || !('status' in doc)) return [];
  return [{ path: ['status'], target: 'key', message: 'is written by the operator and cannot be applied; remove it from the spec file' }];
}

function distinctPorts(doc: unknown, a: Path, b: Path, why: string, issues: RawIssue[]): void {
  const first = get(doc, a);
  const second = get(doc, b);
  if (typeof first === 'number' && first === second) {
    issues.push({ path: b, target: 'value', fallbackPath: a, message: `must differ from ${a.join('.')} (${first}): ${why}` });
  }
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(value: unknown, path: Path): unknown {
  let node = value;
  for (const segment of path) {
    if (!isRecord(node)) return undefined;
    node = node[segment];
  }
  return node;
}
