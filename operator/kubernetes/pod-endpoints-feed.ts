// Feeds the endpoints DNS from the Kubernetes API: the API pods of every BalancedService of the
// namespace, listed then watched (kube-watch.ts) and listed again every relistMs as a safety
// net against a lost event; each change publishes the whole table (pod-endpoints.ts). An error
// keeps the last table (its pods most likely still serve) and starts again after a backoff
// (1 s doubling to 30 s), so a broken watch never leaves HAProxy without answers.
import type { V1Pod } from '@kubernetes/client-node';
import { PODS, type KubeApi } from './kube-api.js';
import { listThenWatch } from './kube-watch.js';
import { API_PODS_SELECTOR, endpointsTableOf, type EndpointsTable } from './pod-endpoints.js';

export const DEFAULT_RELIST_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

export interface PodEndpointsFeedOptions {
  clusterDomain?: string;
  /** A full list this often, the watch started again from it (default 30 s). */
  relistMs?: number;
  /** Server-side timeout of each watch request (it resumes after). */
  watchTimeoutSeconds?: number;
  /** The list or watch failed; the feed starts again in retryInMs, the table unchanged. */
  onError?: (error: unknown, retryInMs: number) => void;
}

/** Starts feeding `publish`; returns the stop. */
export function feedPodEndpoints(api: KubeApi, publish: (table: EndpointsTable) => void, options: PodEndpointsFeedOptions = {}): () => void {
  const pods = new Map<string, V1Pod>();
  const publishNow = () => publish(endpointsTableOf(pods.values(), api.namespace, options.clusterDomain));
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const start = () => {
    stopWatch?.();
    clearTimeout(timer);
    if (stopped) return;
    stopWatch = listThenWatch<V1Pod>(api, PODS, API_PODS_SELECTOR, {
      onList(items) {
        pods.clear();
        for (const pod of items) pods.set(keyOf(pod), pod);
        publishNow();
      },
      onEvent(type, pod) {
        if (type === 'DELETED') pods.delete(keyOf(pod));
        else pods.set(keyOf(pod), pod);
        publishNow();
      },
      onError(error) {
        clearTimeout(timer);
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures++);
        options.onError?.(error, delay);
        timer = setTimeout(start, delay);
      },
    }, { timeoutSeconds: options.watchTimeoutSeconds });
    // A whole period without an error ends the backoff.
    timer = setTimeout(() => { failures = 0; start(); }, options.relistMs ?? DEFAULT_RELIST_MS);
  };
  start();
  return () => {
    stopped = true;
    stopWatch?.();
    clearTimeout(timer);
  };
}

/** The uid (a pod deleted and created again under its name is another pod), else the name. */
const keyOf = (pod: V1Pod) => pod.metadata?.uid ?? pod.metadata?.name ?? '';
