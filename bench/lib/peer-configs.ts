// Pure: what each peer runs. Every HAProxy config is the REAL rendering of haproxy/render from a
// spec with bso's defaults; the peers without agents are the same text with the agent-check
// removed from the server-template line and their balance set, nothing else changed.
import { parseBalancedServices } from '../../crd/parse-spec.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { renderServiceConfig, slotsFor } from '../../haproxy/render/index.js';
import { desiredStateFor } from '../../operator/core/desired-state.js';
import type { PeerName } from './types.js';

/** Replicas in the testbed: two healthy, then the hot one (stress-ng), then the slow one. */
export const REPLICAS = 4;
export const REPLICA_CPUS = 0.25;
export const ROLES = ['healthy', 'healthy', 'hot', 'slow'] as const;
export type Role = (typeof ROLES)[number];

/** bso's replicas run the spec's agent; the seed's run the proof of concept's binary agent. */
export type Flavour = 'bso' | 'seed';
/** Which replicas (by index into ROLES) a backend's DNS name resolves to. */
export type ReplicaSet = 'all' | 'healthy' | 'not-hot' | 'not-slow' | 'pair' | 'first';
export const REPLICA_SETS: Record<ReplicaSet, readonly number[]> = {
  all: [0, 1, 2, 3],
  healthy: [0, 1],
  'not-hot': [0, 1, 3],
  'not-slow': [0, 1, 2],
  /** Scenario 2 with two replicas: the first healthy one and the slow one. */
  pair: [0, 3],
  first: [0],
};

/** The seed's agent (issue #7): maint at >= 80 %, ready 100 % at <= 60 %, no smoothing, no minimum. */
export const SEED_AGENT_ENV: Readonly<Record<string, string>> = {
  BSO_AGENT_WEIGHTING: 'binary', BSO_SMOOTHING: '0s', BSO_MIN_MAINT_TIME: '0s', BSO_MAINT_AT: '80', BSO_READY_AT: '60',
};

export function benchSpec(overrides: { balance?: string } = {}): BalancedService {
  const text = [
    'apiVersion: bso.dev/v1alpha1', 'kind: BalancedService', 'metadata:', '  name: bench', 'spec:',
    '  image: bso-hello-api:latest', `  replicas: ${REPLICAS}`, '  resources:', `    cpus: ${REPLICA_CPUS}`,
    ...(overrides.balance ? ['  haproxy:', `    balance: ${overrides.balance}`] : []),
  ].join('\n');
  const result = parseBalancedServices(text, 'bench-spec.yaml');
  if (!result.ok) throw new Error(`bench spec invalid: ${JSON.stringify(result.issues)}`);
  return result.specs[0]!.object;
}

export function peerFlavour(peer: PeerName): Flavour {
  return peer === 'seed-agent' ? 'seed' : 'bso';
}

/** The replica containers' environment, as the operator would set it (plus the seed's agent). */
export function replicaEnv(flavour: Flavour): Record<string, string> {
  const api = desiredStateFor(benchSpec(), { operatorUrl: 'http://unused', tokenConfig: 'unused' }).services.find((s) => s.component === 'api');
  if (!api) throw new Error('desired state without an api service');
  return { ...api.env, ...(flavour === 'seed' ? SEED_AGENT_ENV : {}) };
}

const AGENT_CHECK = / agent-check agent-port \d+ agent-inter \S+/;

export function removeAgentCheck(config: string): string {
  if (!AGENT_CHECK.test(config)) throw new Error('rendered config has no agent-check to remove');
  return config.replace(new RegExp(AGENT_CHECK.source, 'g'), '');
}

export interface PeerConfigInput {
  peer: PeerName;
  /** The DNS name resolving to the backend's replicas (a Docker network alias). */
  replicasHost: string;
}

/**
 * oracle: bso's balance (random(2)) without agents; its weights are set to the replicas' true
 * capacities over the runtime API by the scenario (static: no agent changes them);
 * healthy-only: leastconn without agents, over the unloaded replicas only (the strongest oracle:
 * joining the shortest queue of equal replicas);
 * roundrobin / leastconn: that balance without agents over every replica;
 * seed-agent: the agent-check kept, balance roundrobin (the seed's haproxy.cfg);
 * bso: the rendering unchanged.
 */
export function renderPeerConfig(input: PeerConfigInput): string {
  const balance = input.peer === 'roundrobin' || input.peer === 'seed-agent' ? 'roundrobin' : input.peer === 'leastconn' || input.peer === 'healthy-only' ? 'leastconn' : undefined;
  const spec = benchSpec(balance ? { balance } : {});
  const { text } = renderServiceConfig(spec, { discovery: { kind: 'swarm', replicasHost: input.replicasHost }, slots: slotsFor(REPLICAS) });
  return input.peer === 'bso' || input.peer === 'seed-agent' ? text : removeAgentCheck(text);
}
