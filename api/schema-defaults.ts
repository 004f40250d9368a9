// The API replica's defaults, read from the BalancedService schema (the single source of truth)
// so that a replica started by hand behaves like one the operator started with an empty spec.
import { balancedServiceSchema } from '../crd/schema.js';

type SchemaNode = Record<string, unknown>;

function child(node: SchemaNode, ...names: string[]): SchemaNode {
  let current = node;
  for (const name of names) {
    const properties = current['properties'] as SchemaNode | undefined;
    const next = properties?.[name];
    if (typeof next !== 'object' || next === null) throw new Error(`schema has no property ${names.join('.')}`);
    current = next as SchemaNode;
  }
  return current;
}

function defaultOf<T extends string | number>(node: SchemaNode, type: 'string' | 'number', path: string): T {
  const value = node['default'];
  if (typeof value !== type) throw new Error(`schema property ${path} has no ${type} default`);
  return value as T;
}

const spec = child(balancedServiceSchema, 'spec');
const agent = child(spec, 'agent');
const thresholds = child(agent, 'thresholds');
const haproxy = child(spec, 'haproxy');

/** Defaults of spec.port and spec.agent.* as the schema declares them (durations as text). */
export const SCHEMA_DEFAULTS = {
  port: defaultOf<number>(child(spec, 'port'), 'number', 'spec.port'),
  agentPort: defaultOf<number>(child(agent, 'port'), 'number', 'spec.agent.port'),
  maintAt: defaultOf<number>(child(thresholds, 'maint'), 'number', 'spec.agent.thresholds.maint'),
  readyAt: defaultOf<number>(child(thresholds, 'ready'), 'number', 'spec.agent.thresholds.ready'),
  metric: defaultOf<string>(child(agent, 'metric'), 'string', 'spec.agent.metric'),
  sampleInterval: defaultOf<string>(child(agent, 'sampleInterval'), 'string', 'spec.agent.sampleInterval'),
  smoothing: defaultOf<string>(child(agent, 'smoothing'), 'string', 'spec.agent.smoothing'),
  minMaintTime: defaultOf<string>(child(agent, 'minMaintTime'), 'string', 'spec.agent.minMaintTime'),
  agentInterval: defaultOf<string>(child(agent, 'interval'), 'string', 'spec.agent.interval'),
  weighting: defaultOf<string>(child(agent, 'weighting'), 'string', 'spec.agent.weighting'),
  maxconnPerServer: defaultOf<number>(child(haproxy, 'maxconnPerServer'), 'number', 'spec.haproxy.maxconnPerServer'),
} as const;

/** minimum/maximum of an integer threshold in the schema. */
export function thresholdRange(name: 'maint' | 'ready'): { min: number; max: number } {
  const node = child(thresholds, name);
  return { min: node['minimum'] as number, max: node['maximum'] as number };
}

/** The values spec.agent.metric allows. */
export const METRIC_VALUES = (child(agent, 'metric')['enum'] as string[]).slice();
export const WEIGHTING_VALUES = (child(agent, 'weighting')['enum'] as string[]).slice();
