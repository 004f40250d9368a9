// How the CLI reaches the cluster (for specs) and the operator (for status).
import { Option } from 'commander';
import type { Backend } from '../operator/backend.js';
import type { ApiObject } from '../operator/api-object.js';

export const DEFAULT_OPERATOR_URL = 'http://127.0.0.1:9464';

/** --backend: where specs are stored (every verb that talks to a cluster). */
export function backendOption(): Option {
  return new Option('--backend <backend>', 'where specs are stored: swarm (DOCKER_HOST or the local socket) or kubernetes (KUBECONFIG)').choices(['swarm', 'kubernetes']).default('swarm');
}

export interface ClusterOptions { backend: string; kubeconfig?: string; context?: string; namespace?: string }

/** kubectl's --kubeconfig, --context and -n/--namespace, for --backend=kubernetes. */
export const kubeconfigOption = () => new Option('--kubeconfig <file>', 'Kubernetes: the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)');
export const contextOption = () => new Option('--context <name>', 'Kubernetes: the kubeconfig context (default: its current-context)');
export const namespaceOption = () => new Option('-n, --namespace <namespace>', 'Kubernetes: the namespace of the BalancedServices (default: $BSO_NAMESPACE, else the context\'s)');

/**
 * Swarm: DOCKER_HOST or the local socket. Kubernetes: --kubeconfig or KUBECONFIG or in-cluster,
 * --context, namespace --namespace or BSO_NAMESPACE or the context's. The client is loaded here,
 * by the verbs that talk to a cluster only.
 */
export async function connectBackend(options: ClusterOptions): Promise<Backend> {
  if (options.backend === 'kubernetes') {
    const { connectKubernetes } = await import('../operator/kubernetes/connect.js');
    return connectKubernetes({ kubeconfig: options.kubeconfig, context: options.context, namespace: options.namespace });
  }
  const [{ connectDocker }, { SwarmBackend }] = await Promise.all([import('../operator/swarm/docker-client.js'), import('../operator/swarm/swarm-backend.js')]);
  return new SwarmBackend(connectDocker());
}

export function operatorUrl(option: string | undefined): string {
  return (option ?? process.env.BSO_OPERATOR_URL ?? DEFAULT_OPERATOR_URL).replace(/\/+$/, '');
}

export type StatusAnswer = { ok: true; object: ApiObject } | { ok: false; reason: string };

/** The object with status from the operator; a reason instead when the operator cannot say. */
export async function fetchStatus(baseUrl: string, name: string): Promise<StatusAnswer> {
  try {
    const response = await fetch(`${baseUrl}/v1/balancedservices/${encodeURIComponent(name)}`, { signal: AbortSignal.timeout(3000) });
    if (response.status === 404) return { ok: false, reason: `the operator at ${baseUrl} does not know ${name} yet` };
    if (!response.ok) return { ok: false, reason: `the operator at ${baseUrl} answered ${response.status}` };
    return { ok: true, object: (await response.json()) as ApiObject };
  } catch {
    return { ok: false, reason: `the operator is not reachable at ${baseUrl} (is \`bso operator\` running? set --operator or BSO_OPERATOR_URL)` };
  }
}

export async function fetchAll(baseUrl: string): Promise<ApiObject[] | undefined> {
  try {
    const response = await fetch(`${baseUrl}/v1/balancedservices`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) return undefined;
    return ((await response.json()) as { items: ApiObject[] }).items;
  } catch {
    return undefined;
  }
}

/** "5s", "3m", "2h", "4d" since an ISO time. */
export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** Left-aligned columns separated by two spaces, like kubectl. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}
