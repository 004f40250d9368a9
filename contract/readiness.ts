// When an API replica counts as ready, asked by its orchestrator: the Swarm healthcheck and the
// Kubernetes readinessProbe that bso puts on every replica, and the replica's /readyz that answers
// them. Part of the contract between the images (contract/): imports nothing of ours.
//
// Ready means "HAProxy sends it requests": some HAProxy has health-checked the replica
// successfully `rise` times in a row (the spec's healthCheck.rise: HAProxy marks a server UP
// after exactly that many). So a rolling update, which waits for each new replica to be ready
// before it stops an old one, never stops an old replica before its successor serves. Once
// ready, a replica stays ready while it runs (HAProxy stops health-checking a replica its agent
// put in MAINT: that must not make the orchestrator kill it); it is unready again while it drains.
// A replica that no HAProxy has checked for UNCHECKED_READY_AFTER_MS counts as ready: with no
// HAProxy running there is nothing to wait for, and replicas must still start.

/** Answered by the replica: 200 when ready, 503 with the reason otherwise. */
export const READINESS_PATH = '/readyz';

export const UNCHECKED_READY_AFTER_MS = 30_000;

/** How the orchestrator asks. Swarm counts `retries` failures only after `startPeriod`. */
export const READINESS_PROBE = { intervalMs: 2000, timeoutMs: 3000, retries: 3, startPeriodMs: 60_000 } as const;

/**
 * The Swarm healthcheck's command: Node (every bso-api image has it) asks /readyz on the replica's
 * own port ($PORT, which the operator sets). Docker runs it inside the container.
 */
export function readinessCheckCommand(): string[] {
  const script = `require('http').get({host:'127.0.0.1',port:process.env.PORT,path:'${READINESS_PATH}',timeout:${READINESS_PROBE.timeoutMs - 500}},`
    + `(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}
