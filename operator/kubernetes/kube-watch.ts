// Kubernetes list-then-watch, like an informer without a cache: list once for a resourceVersion,
// then watch from it; resume from the last seen version when the server ends a watch
// (timeoutSeconds), list again on 410 Gone. A real error stops it and is reported once.
// Two users: watchHints (reconcile hints; hints can be missed, the reconciler resyncs
// regardless, and reconnects after a pause on an error) and the endpoints DNS's pod feed
// (pod-endpoints-feed.ts), which keeps the objects themselves.
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABEL_OWNER } from '../../contract/names.js';
import { BALANCED_SERVICES, DEPLOYMENTS, NETWORK_POLICIES, SECRETS, SERVICES, type KubeApi, type ResourceType } from './kube-api.js';

/** What bso watches: the specs, and everything it owns (by the owner label). */
export const WATCHED: ReadonlyArray<{ type: ResourceType; labelSelector?: string }> = [
  { type: BALANCED_SERVICES },
  { type: DEPLOYMENTS, labelSelector: LABEL_OWNER },
  { type: SERVICES, labelSelector: LABEL_OWNER },
  { type: SECRETS, labelSelector: LABEL_OWNER },
  { type: NETWORK_POLICIES, labelSelector: LABEL_OWNER },
];

export interface WatchOptions { timeoutSeconds?: number }

export interface ListWatchHandlers<T extends KubernetesObject> {
  /** Every object there is: the first list, and each list again after 410 Gone (relisted). */
  onList(items: T[], relisted: boolean): void;
  /** A change after the last list. */
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void;
  /** A real error (not a 410): the list-watch has stopped. */
  onError(error: unknown): void;
}

/** Lists `type` (by labelSelector), then streams its changes until stopped; returns the stop. */
export function listThenWatch<T extends KubernetesObject>(api: KubeApi, type: ResourceType, labelSelector: string | undefined, handlers: ListWatchHandlers<T>, options: WatchOptions = {}): () => void {
  let stopped = false;
  let stopStream: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resourceVersion = '';
  const stop = () => {
    stopped = true;
    stopStream?.();
    clearTimeout(timer);
  };
  const fail = (error: unknown) => {
    if (stopped) return;
    stop();
    handlers.onError(error);
  };
  const list = async (relisted: boolean) => {
    let listed: { items: T[]; resourceVersion: string };
    try {
      listed = await api.list<T>(type, labelSelector);
    } catch (error) {
      fail(error);
      return;
    }
    if (stopped) return;
    resourceVersion = listed.resourceVersion;
    handlers.onList(listed.items, relisted);
    watchFrom();
  };
  const watchFrom = () => {
    if (stopped) return;
    let gone = false;
    const startedAt = performance.now();
    stopStream = api.watch<T>(type, { labelSelector, resourceVersion, timeoutSeconds: options.timeoutSeconds }, {
      onEvent(eventType, object) {
        if (stopped) return;
        if (eventType === 'ERROR') {
          const code = (object as { code?: number }).code;
          if (code === 410) gone = true;
          else fail(new Error(`watch of ${type.plural} failed: ${(object as { message?: string }).message ?? `code ${code}`}`));
          return;
        }
        resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
        if (eventType !== 'BOOKMARK') handlers.onEvent(eventType, object);
      },
      onEnd(error) {
        if (stopped) return;
        if (error) fail(error);
        else if (gone) void list(true);
        // A server that ends watches at once must not make this spin.
        else timer = setTimeout(watchFrom, performance.now() - startedAt < 1000 ? 1000 : 0);
      },
    });
  };
  void list(false);
  return stop;
}

/**
 * Reconcile hints from every WATCHED type: the BalancedService's name, or undefined ("anything
 * may have changed") after a relist. The first error stops every watch and is reported once.
 */
export function watchHints(api: KubeApi, onHint: (name: string | undefined) => void, onError: (error: unknown) => void, options: WatchOptions = {}): () => void {
  let stopped = false;
  const stops: Array<() => void> = [];
  const stop = () => {
    stopped = true;
    for (const s of stops) s();
  };
  for (const { type, labelSelector } of WATCHED) {
    const hintFor = (object: KubernetesObject) => (type === BALANCED_SERVICES ? object.metadata?.name : object.metadata?.labels?.[LABEL_OWNER]);
    stops.push(listThenWatch(api, type, labelSelector, {
      onList: (_items, relisted) => { if (relisted) onHint(undefined); },
      onEvent: (_type, object) => {
        const name = hintFor(object);
        if (name) onHint(name);
      },
      onError: (error) => {
        if (stopped) return;
        stop();
        onError(error);
      },
    }, options));
  }
  return stop;
}
