// The BalancedService as `bso get -o json|yaml` and the operator's HTTP API show it:
// the stored spec plus the status the operator observed.
import type { StoredSpec } from './backend.js';
import type { OperatorEvent } from './event-log.js';
import type { ServiceStatus } from './core/service-status.js';

export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; generation: number; creationTimestamp: string };
  spec: unknown;
  status?: ServiceStatus;
  events?: OperatorEvent[];
}

/** A valid spec as loaded (defaults filled in); an invalid one as the store holds it. */
export function toApiObject(stored: StoredSpec, status: ServiceStatus | undefined, events?: OperatorEvent[]): ApiObject {
  const shown = stored.valid ? stored.object : stored.stored;
  const metadata = shown.metadata !== null && typeof shown.metadata === 'object' ? shown.metadata as Record<string, unknown> : {};
  return {
    apiVersion: String(shown.apiVersion ?? ''),
    kind: String(shown.kind ?? ''),
    metadata: { ...metadata, name: stored.name, generation: stored.generation, creationTimestamp: stored.createdAt },
    spec: shown.spec,
    ...(status ? { status } : {}),
    ...(events ? { events } : {}),
  };
}
