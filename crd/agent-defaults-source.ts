// Writes crd/agent-defaults.generated.ts: the defaults and limits the replica's agent needs, as
// constants taken from the schema at `npm run generate` time, so the replica image reads no schema
// and loads no validator at run time. crd/generated-files.test.ts fails when the committed file
// has drifted from the schema.
type SchemaNode = Record<string, unknown>;

function child(node: SchemaNode, ...names: string[]): SchemaNode {
  let current = node;
  for (const name of names) {
    const next = (current['properties'] as SchemaNode | undefined)?.[name];
    if (typeof next !== 'object' || next === null) throw new Error(`schema has no property ${names.join('.')}`);
    current = next as SchemaNode;
  }
  return current;
}

function defaultOf(node: SchemaNode, type: 'string' | 'number', path: string): string | number {
  const value = node['default'];
  if (typeof value !== type) throw new Error(`schema property ${path} has no ${type} default`);
  return value as string | number;
}

export function agentDefaultsSource(schema: SchemaNode, header: string): string {
  const spec = child(schema, 'spec');
  const agent = child(spec, 'agent');
  const thresholds = child(agent, 'thresholds');
  const haproxy = child(spec, 'haproxy');
  const healthCheck = child(spec, 'healthCheck');
  const defaults = {
    port: defaultOf(child(spec, 'port'), 'number', 'spec.port'),
    agentPort: defaultOf(child(agent, 'port'), 'number', 'spec.agent.port'),
    maintAt: defaultOf(child(thresholds, 'maint'), 'number', 'spec.agent.thresholds.maint'),
    readyAt: defaultOf(child(thresholds, 'ready'), 'number', 'spec.agent.thresholds.ready'),
    metric: defaultOf(child(agent, 'metric'), 'string', 'spec.agent.metric'),
    sampleInterval: defaultOf(child(agent, 'sampleInterval'), 'string', 'spec.agent.sampleInterval'),
    smoothing: defaultOf(child(agent, 'smoothing'), 'string', 'spec.agent.smoothing'),
    minMaintTime: defaultOf(child(agent, 'minMaintTime'), 'string', 'spec.agent.minMaintTime'),
    agentInterval: defaultOf(child(agent, 'interval'), 'string', 'spec.agent.interval'),
    weighting: defaultOf(child(agent, 'weighting'), 'string', 'spec.agent.weighting'),
    maxconnPerServer: defaultOf(child(haproxy, 'maxconnPerServer'), 'number', 'spec.haproxy.maxconnPerServer'),
    healthPath: defaultOf(child(healthCheck, 'path'), 'string', 'spec.healthCheck.path'),
    healthRise: defaultOf(child(healthCheck, 'rise'), 'number', 'spec.healthCheck.rise'),
  };
  const range = (name: string) => ({ min: child(thresholds, name)['minimum'] as number, max: child(thresholds, name)['maximum'] as number });
  const json = (value: unknown) => JSON.stringify(value);
  return [
    `// ${header}`,
    '// The agent\'s defaults and limits as the schema declares them (durations as text).',
    '',
    `export const SCHEMA_DEFAULTS = ${json(defaults)} as const;`,
    '',
    '/** minimum/maximum of spec.agent.thresholds.maint and .ready. */',
    `export const THRESHOLD_RANGES = ${json({ maint: range('maint'), ready: range('ready') })} as const;`,
    '',
    '/** The values spec.agent.metric and spec.agent.weighting allow. */',
    `export const METRIC_VALUES: readonly string[] = ${json(child(agent, 'metric')['enum'])};`,
    `export const WEIGHTING_VALUES: readonly string[] = ${json(child(agent, 'weighting')['enum'])};`,
    '',
  ].join('\n');
}
