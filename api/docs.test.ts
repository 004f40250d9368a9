// docs/api.md documents every variable bso-api reads, with the default the code uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { API_ENV, DEFAULT_AGENT_MAX_CONNECTIONS, DEFAULT_CGROUP_ROOT, DEFAULT_DRAIN_DELAY, DEFAULT_SHUTDOWN_TIMEOUT } from './config.js';
import { SCHEMA_DEFAULTS } from '../crd/agent-defaults.generated.js';

const DEFAULTS: Record<keyof typeof API_ENV, string> = {
  port: String(SCHEMA_DEFAULTS.port),
  agentPort: String(SCHEMA_DEFAULTS.agentPort),
  maintAt: String(SCHEMA_DEFAULTS.maintAt),
  readyAt: String(SCHEMA_DEFAULTS.readyAt),
  metric: SCHEMA_DEFAULTS.metric,
  sampleInterval: SCHEMA_DEFAULTS.sampleInterval,
  smoothing: SCHEMA_DEFAULTS.smoothing,
  minMaintTime: SCHEMA_DEFAULTS.minMaintTime,
  weighting: SCHEMA_DEFAULTS.weighting,
  referenceCpus: '(unset)',
  maxconnLimit: String(SCHEMA_DEFAULTS.maxconnPerServer),
  cgroupRoot: DEFAULT_CGROUP_ROOT,
  drainDelay: DEFAULT_DRAIN_DELAY,
  shutdownTimeout: DEFAULT_SHUTDOWN_TIMEOUT,
  healthPath: SCHEMA_DEFAULTS.healthPath,
  healthRise: String(SCHEMA_DEFAULTS.healthRise),
  agentMaxConnections: String(DEFAULT_AGENT_MAX_CONNECTIONS),
  delayFile: '(unset)',
};

test('docs/api.md lists every environment variable with its default', () => {
  const docs = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  for (const [key, name] of Object.entries(API_ENV)) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    assert.ok(row, `docs/api.md has no row for ${name}`);
    assert.equal(row.split('|')[2]!.trim(), `\`${DEFAULTS[key as keyof typeof API_ENV]}\``, `default of ${name} in docs/api.md`);
  }
});
