// The BalancedService as `bso get -o json|yaml` and the operator's HTTP API show it:
// the stored spec plus the status the operator observed.
import type { StoredSpec } from './backend.js';
import type { OperatorEvent } from './event-log.js';
import type { ServiceStatus } from './reconciler.js';

export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; generation: number; creationTimestamp: string };
  spec: unknown;
  status?: ServiceStatus;
  events?: OperatorEvent[];
}

export function toApiObject(stored: StoredSpec, status: ServiceStatus | undefined, events?: OperatorEvent[]): ApiObject {
  return {
    apiVersion: stored.object.apiVersion,
    kind: stored.object.kind,
    metadata: { ...stored.object.metadata, generation: stored.generation, creationTimestamp: stored.createdAt },
    spec: stored.object.spec,
    ...(status ? { status } : {}),
    ...(events ? { events } : {}),
  };
}
