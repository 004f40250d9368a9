// Kubernetes watches as reconcile hints, like an informer without a cache: list once for a
// resourceVersion, then watch from it; resume from the last seen version when the server ends
// a watch (timeoutSeconds), list again on 410 Gone (and hint "anything changed"). Hints can be
// missed: the reconciler resyncs regardless. A real error stops every watch and is reported
// once through onError (the reconciler reconnects after a pause).
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

export function watchHints(api: KubeApi, onHint: (name: string | undefined) => void, onError: (error: unknown) => void, options: WatchOptions = {}): () => void {
  let stopped = false;
  const stops = new Map<string, () => void>();
  const timers = new Set<NodeJS.Timeout>();
  const fail = (error: unknown) => {
    if (stopped) return;
    stop();
    onError(error);
  };
  const stop = () => {
    stopped = true;
    for (const s of stops.values()) s();
    stops.clear();
    for (const t of timers) clearTimeout(t);
  };

  // A server that ends watches at once must not make this spin.
  const later = (work: () => void, delayMs: number) => {
    const timer = setTimeout(() => { timers.delete(timer); work(); }, delayMs);
    timers.add(timer);
  };

  for (const { type, labelSelector } of WATCHED) {
    const hintFor = (object: KubernetesObject) => (type === BALANCED_SERVICES ? object.metadata?.name : object.metadata?.labels?.[LABEL_OWNER]);
    let resourceVersion = '';
    const listThenWatch = async (relisted: boolean) => {
      try {
        resourceVersion = (await api.list(type, labelSelector)).resourceVersion;
      } catch (error) {
        fail(error);
        return;
      }
      if (relisted) onHint(undefined);
      watchFrom();
    };
    const watchFrom = () => {
      if (stopped) return;
      let gone = false;
      const startedAt = performance.now();
      const stopOne = api.watch<KubernetesObject>(type, { labelSelector, resourceVersion, timeoutSeconds: options.timeoutSeconds }, {
        onEvent(eventType, object) {
          if (eventType === 'ERROR') {
            const code = (object as { code?: number }).code;
            if (code === 410) gone = true;
            else fail(new Error(`watch of ${type.plural} failed: ${(object as { message?: string }).message ?? `code ${code}`}`));
            return;
          }
          resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
          if (eventType === 'BOOKMARK') return;
          const name = hintFor(object);
          if (name) onHint(name);
        },
        onEnd(error) {
          if (stopped) return;
          if (error) fail(error);
          else if (gone) void listThenWatch(true);
          else later(watchFrom, performance.now() - startedAt < 1000 ? 1000 : 0);
        },
      });
      stops.set(type.plural, stopOne);
    };
    void listThenWatch(false);
  }
  return stop;
}
