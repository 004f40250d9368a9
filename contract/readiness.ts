// When an API replica counts as ready during a rolling update, and the routes that say it. Part
// of the contract between the images (contract/): imports nothing of ours.
//
// READINESS_PATH (GET /readyz) says "HAProxy sends it requests": some HAProxy has health-checked
// the replica successfully `rise` times in a row (the spec's healthCheck.rise: HAProxy marks a
// server UP after exactly that many). Once ready, a replica stays ready while it runs (HAProxy
// may stop health-checking a replica its agent put in MAINT: that must not make the orchestrator
// kill it); it is unready again while it drains. A replica that no HAProxy has checked for
// UNCHECKED_READY_AFTER_MS counts as ready: with no HAProxy running there is nothing to wait for.
// Kubernetes asks it (the readinessProbe), since HAProxy there learns of pods before they are
// Ready (operator/kubernetes/pod-endpoints.ts).
//
// Swarm cannot wait for that: its DNS (how HAProxy finds replicas there) leaves a task with a
// healthcheck out until the healthcheck passes, so HAProxy could never check a replica that waits
// for HAProxy. The Swarm healthcheck asks SERVING_PATH (GET /healthz: the process serves), and
// the rolling update waits `admitMs` after each batch (desired-state.ts) for HAProxy to resolve
// the new replicas and pass their checks before it stops the next old ones.

/** Answered by the replica: 200 when HAProxy has it UP, 503 with the reason otherwise. */
export const READINESS_PATH = '/readyz';
/** Answered by the replica: 200 while its process serves (also HAProxy's default health check path). */
export const SERVING_PATH = '/healthz';

export const UNCHECKED_READY_AFTER_MS = 30_000;

/** How the orchestrator asks. Swarm counts `retries` failures only after `startPeriod`. */
export const READINESS_PROBE = { intervalMs: 2000, timeoutMs: 3000, retries: 3, startPeriodMs: 60_000 } as const;

/**
 * The Swarm healthcheck's command: Node (every bso-api image has it) asks SERVING_PATH on the
 * replica's own port ($PORT, which the operator sets). Docker runs it inside the container.
 */
export function servingCheckCommand(): string[] {
  const script = `require('http').get({host:'127.0.0.1',port:process.env.PORT,path:'${SERVING_PATH}',timeout:${READINESS_PROBE.timeoutMs - 500}},`
    + `(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}
