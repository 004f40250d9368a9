// Every Kubernetes API request bso makes, as RBAC rules. The backend tests record each request
// the code makes against the fake API server and check it is listed here; the deploy/k8s test
// checks the Role and ClusterRole grant exactly this. Data only.

export interface Permission { group: string; resource: string; verbs: readonly string[] }

const OWNED = ['get', 'list', 'watch', 'create', 'update', 'delete'] as const;
/** Deployments are written by server-side apply: a patch, and a create when the apply creates. */
const APPLIED = ['get', 'list', 'watch', 'create', 'patch', 'delete'] as const;
/** Objects bso never changes once created (a Secret's content, a NetworkPolicy): no update. */
const CREATED_ONLY = ['get', 'list', 'watch', 'create', 'delete'] as const;
/** PodDisruptionBudgets: kept like a Deployment's Service, but not watched (the periodic resync corrects them). */
const UNWATCHED = ['get', 'list', 'create', 'update', 'delete'] as const;

/** The operator: reads specs, writes their status and Events, manages what it owns, reads pods (tasks; the endpoints DNS watches them), holds the leader Lease. */
export const OPERATOR_PERMISSIONS: readonly Permission[] = [
  { group: 'bso.dev', resource: 'balancedservices', verbs: ['get', 'list', 'watch'] },
  { group: 'bso.dev', resource: 'balancedservices/status', verbs: ['update'] },
  { group: 'apps', resource: 'deployments', verbs: APPLIED },
  { group: '', resource: 'services', verbs: OWNED },
  { group: '', resource: 'secrets', verbs: CREATED_ONLY },
  { group: 'networking.k8s.io', resource: 'networkpolicies', verbs: CREATED_ONLY },
  { group: 'policy', resource: 'poddisruptionbudgets', verbs: UNWATCHED },
  { group: '', resource: 'pods', verbs: ['list', 'watch'] },
  { group: '', resource: 'events', verbs: ['create', 'update'] },
  { group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'] },
];

/** Users of `bso apply` / `bso delete` (granted to the edit and admin roles by aggregation). */
export const EDITOR_PERMISSIONS: readonly Permission[] = [
  { group: 'bso.dev', resource: 'balancedservices', verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
];

export function allows(permissions: readonly Permission[], request: { group: string; resource: string; verb: string }): boolean {
  return permissions.some((p) => p.group === request.group && p.resource === request.resource && p.verbs.includes(request.verb));
}
