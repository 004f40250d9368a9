// A DesiredPlacement as Swarm placement constraints, and back: one place for the syntax that the
// operator's services (operator/swarm/service-spec.ts) and `bso render stack` (compose-stack.ts)
// both write. The node label's key and value are validated by the schema (no spaces, no '=').
import type { DesiredPlacement } from './desired-state.js';

export const MANAGER_CONSTRAINT = 'node.role == manager';
const NODE_LABEL = /^node\.labels\.(\S+) == (\S*)$/;

export function swarmConstraints(placement: DesiredPlacement): string[] {
  return [
    ...(placement.managersOnly ? [MANAGER_CONSTRAINT] : []),
    ...(placement.nodeLabel ? [`node.labels.${placement.nodeLabel.key} == ${placement.nodeLabel.value}`] : []),
  ];
}

/** The placement the constraints express (maxPerNode is not a constraint: the caller adds it). */
export function placementOfConstraints(constraints: readonly string[]): Omit<DesiredPlacement, 'maxPerNode'> {
  const label = constraints.map((c) => NODE_LABEL.exec(c)).find((m) => m);
  return {
    managersOnly: constraints.includes(MANAGER_CONSTRAINT),
    ...(label ? { nodeLabel: { key: label[1]!, value: label[2]! } } : {}),
  };
}
