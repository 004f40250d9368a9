// A spec read back from where the operator keeps it (a Swarm config, a Kubernetes object): written
// by this bso, an older one, or by hand. Every store loads it through here, once: the same schema,
// rules and defaults as `bso apply`, so what the reconciler builds from always has every default
// filled in, and what does not validate arrives as its issues, each with its path, never as a
// half-typed object.
import { parseBalancedServices } from './parse-spec.js';
import { printableIssue, type SpecIssue } from './spec-issue.js';
import type { BalancedService } from './types.generated.js';

/** What a store held, as it held it: shown back to the user (bso get), never built from. */
export interface StoredFields { apiVersion: unknown; kind: unknown; metadata: unknown; spec: unknown }

export type SpecFromStore =
  | { valid: true; name: string; object: BalancedService }
  | { valid: false; name: string; object?: undefined; stored: StoredFields; issues: SpecIssue[] };

/** A stored object that could not even be read (not JSON): one issue, at the document. */
export function unreadableSpec(name: string, source: string, message: string): SpecFromStore {
  return {
    valid: false, name, stored: { apiVersion: undefined, kind: undefined, metadata: { name }, spec: undefined },
    issues: [printableIssue({ file: source, line: 1, col: 1, path: '', message })],
  };
}

/**
 * Validates a stored object (apiVersion, kind, metadata, spec; anything else is ignored) and
 * returns it with defaults, or every issue. `name` is the name the store knows it by; `source`
 * names where it came from in issues (e.g. `swarm config bso-spec-web-g3`).
 */
export function loadSpecFromStore(raw: unknown, name: string, source: string): SpecFromStore {
  const fields = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw as Record<string, unknown> : {};
  const stored: StoredFields = { apiVersion: fields['apiVersion'], kind: fields['kind'], metadata: fields['metadata'], spec: fields['spec'] };
  // One key per line, so an issue's line points into the stored object as the store returns it.
  const result = parseBalancedServices(JSON.stringify(stored, null, 2), source);
  if (!result.ok) return { valid: false, name, stored, issues: result.issues };
  const object = result.specs[0]!.object;
  if (object.metadata.name !== name) {
    const message = `is ${JSON.stringify(object.metadata.name)}, but the store keeps it as ${JSON.stringify(name)}`;
    return { valid: false, name, stored, issues: [printableIssue({ file: source, line: 1, col: 1, path: 'metadata.name', message })] };
  }
  return { valid: true, name, object };
}
