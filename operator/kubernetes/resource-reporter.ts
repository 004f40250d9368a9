// Status and Events on the BalancedService itself, as Kubernetes users look for them:
// `kubectl get balancedservices` (printer columns read .status) and `kubectl describe
// balancedservice NAME` (core/v1 Events whose involvedObject is the resource, uid included).
// A repeated event (same reason and message) updates its Event's count and lastTimestamp, at
// most once per repeatUpdateMs, instead of creating another.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { BalancedServiceStatus } from '../../crd/types.generated.js';
import { isBsoError } from '../../lib/errors.js';
import type { OperatorEvent } from '../event-log.js';
import type { ResourceReporter } from '../status-publisher.js';
import { apiVersionOf, BALANCED_SERVICES, EVENTS, type KubeApi } from './kube-api.js';
import type { BalancedServiceResource } from './spec-store.js';

/** Who reports (Event.source.component and reportingComponent). */
export const EVENT_SOURCE = 'bso-operator';
const MAX_MESSAGE = 1024;

export class KubernetesReporter implements ResourceReporter {
  private readonly uids = new Map<string, string>();
  private readonly recorded = new Map<string, { event: CoreV1Event; writtenAt: number }>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly instance = `${hostname()}-${process.pid}`;

  /** statusWriter: the spec store's status write (it returns the resource's uid). */
  constructor(
    private readonly api: KubeApi,
    private readonly statusWriter: (name: string, status: BalancedServiceStatus) => Promise<string>,
    private readonly repeatUpdateMs = 30_000,
  ) {}

  async writeStatus(name: string, status: BalancedServiceStatus): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.uids.set(name, await this.statusWriter(name, status));
        return;
      } catch (error) {
        if (isBsoError(error, 'BSO_NOT_FOUND')) return; // deleted meanwhile: nothing to show it on
        // A spec change between the read and the write: read again once.
        if (attempt >= 2 || !isBsoError(error, 'BSO_CONFLICT')) throw error;
      }
    }
  }

  /** One write at a time per event key: a repeat waits for the Event it updates to exist. */
  recordEvent(name: string, event: OperatorEvent): Promise<void> {
    const key = `${name}\u0000${event.type}\u0000${event.reason}\u0000${event.message}`;
    const next = (this.writing.get(key) ?? Promise.resolve()).catch(() => {}).then(() => this.writeEvent(key, name, event));
    this.writing.set(key, next);
    const done = () => { if (this.writing.get(key) === next) this.writing.delete(key); };
    next.then(done, done);
    return next;
  }

  private async writeEvent(key: string, name: string, event: OperatorEvent): Promise<void> {
    const seen = this.recorded.get(key);
    if (seen && event.count > 1) {
      if (Date.now() - seen.writtenAt < this.repeatUpdateMs) return;
      try {
        const updated = await this.api.replace(EVENTS, { ...seen.event, count: event.count, lastTimestamp: event.time as unknown as Date });
        this.recorded.set(key, { event: updated, writtenAt: Date.now() });
        return;
      } catch {
        // Expired or changed: record it afresh.
      }
    }
    const uid = this.uids.get(name) ?? (await this.api.get<BalancedServiceResource>(BALANCED_SERVICES, name))?.metadata?.uid;
    if (!uid) return; // the resource is gone: an Event about it would show nowhere
    this.uids.set(name, uid);
    const created = await this.api.create(EVENTS, this.eventFor(name, uid, event));
    this.recorded.set(key, { event: created, writtenAt: Date.now() });
  }

  forget(name: string): void {
    this.uids.delete(name);
    for (const key of this.recorded.keys()) if (key.startsWith(`${name}\u0000`)) this.recorded.delete(key);
  }

  private eventFor(name: string, uid: string, event: OperatorEvent): CoreV1Event {
    const message = event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 1)}…` : event.message;
    const time = event.time as unknown as Date; // sent as JSON: the ISO string is the wire format
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace: this.api.namespace },
      involvedObject: { apiVersion: apiVersionOf(BALANCED_SERVICES), kind: BALANCED_SERVICES.kind, name, namespace: this.api.namespace, uid },
      type: event.type,
      reason: event.reason,
      message,
      count: event.count,
      firstTimestamp: time,
      lastTimestamp: time,
      source: { component: EVENT_SOURCE },
      reportingComponent: `bso.dev/${EVENT_SOURCE}`,
      reportingInstance: this.instance,
    };
  }
}
