import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationMs } from '../crd/duration.js';
import { parseBalancedServices } from '../crd/parse-spec.js';
import { AGENT_ENV } from '../contract/names.js';
import { API_ENV, formatConfigIssue, readApiConfig, type ApiConfig } from './config.js';
import { CAPACITY_TUNING } from './policy/capacity.js';

function configOf(env: Record<string, string>): ApiConfig {
  const result = readApiConfig(env);
  if (!result.ok) assert.fail(result.issues.map(formatConfigIssue).join('\n'));
  return result.config;
}

function issuesOf(env: Record<string, string>): string[] {
  const result = readApiConfig(env);
  assert.equal(result.ok, false, 'expected issues');
  return result.ok ? [] : result.issues.map(formatConfigIssue);
}

test('readApiConfig: with no environment, the defaults are those the schema fills into an empty spec', () => {
  const parsed = parseBalancedServices('apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata: {name: x}\nspec: {image: x}\n', 'x.yaml');
  assert.ok(parsed.ok);
  const spec = parsed.specs[0]!.object.spec;
  const config = configOf({});
  assert.equal(config.port, spec.port);
  assert.equal(config.agentPort, spec.agent.port);
  assert.equal(config.loop.policy.maintAt, spec.agent.thresholds.maint);
  assert.equal(config.loop.policy.readyAt, spec.agent.thresholds.ready);
  assert.equal(config.loop.metric, spec.agent.metric);
  assert.equal(config.sampleIntervalMs, durationMs(spec.agent.sampleInterval));
  assert.equal(config.loop.smoothingMs, durationMs(spec.agent.smoothing));
  assert.equal(config.loop.policy.minMaintMs, durationMs(spec.agent.minMaintTime));
  assert.equal(config.loop.capacity.concurrencyCap, spec.haproxy.maxconnPerServer);
  assert.equal(config.loop.capacity.referenceCores, undefined, 'without BSO_REFERENCE_CPUS a replica is its own reference');
  assert.equal(config.cgroupRoot, '/sys/fs/cgroup');
  assert.equal(config.cgroupRootExplicit, false);
  // The numbers the issue pins, so that a schema change is a deliberate one.
  assert.deepEqual([config.port, config.agentPort, config.loop.policy.maintAt, config.loop.policy.readyAt, config.loop.metric], [8080, 9999, 80, 60, 'cpu']);
  assert.deepEqual([config.sampleIntervalMs, config.loop.smoothingMs, config.loop.policy.minMaintMs], [250, 1000, 5000]);
});

test('readApiConfig: the operator-set names are those of contract/names.ts', () => {
  for (const [key, name] of Object.entries(AGENT_ENV)) assert.equal(API_ENV[key as keyof typeof API_ENV], name);
});

test('readApiConfig: every variable is read', () => {
  const config = configOf({
    PORT: '0', AGENT_PORT: '0', BSO_MAINT_AT: '90', BSO_READY_AT: '20', BSO_AGENT_METRIC: 'max',
    BSO_SAMPLE_INTERVAL: '100ms', BSO_SMOOTHING: '0s', BSO_MIN_MAINT_TIME: '1m', BSO_AGENT_WEIGHTING: 'binary', BSO_CGROUP_ROOT: '/tmp/x',
    BSO_DRAIN_DELAY: '0s', BSO_SHUTDOWN_TIMEOUT: '2s', BSO_AGENT_MAX_CONNECTIONS: '10', BSO_REFERENCE_CPUS: '0.25', BSO_MAXCONN_LIMIT: '7',
    BSO_API_DELAY_FILE: '/tmp/delay', BSO_HEALTH_PATH: '/ping', BSO_HEALTH_RISE: '3',
  });
  assert.deepEqual(config, {
    port: 0, agentPort: 0, sampleIntervalMs: 100,
    loop: {
      metric: 'max', smoothingMs: 0, policy: { maintAt: 90, readyAt: 20, minMaintMs: 60_000, weighting: 'binary' },
      capacity: { referenceCores: 0.25, concurrencyCap: 7, tuning: CAPACITY_TUNING },
    },
    cgroupRoot: '/tmp/x', cgroupRootExplicit: true, drainDelayMs: 0, shutdownTimeoutMs: 2000, agentMaxConnections: 10,
    delayFile: '/tmp/delay', healthCheck: { path: '/ping', rise: 3 },
  });
});

const BAD: Array<[Record<string, string>, RegExp]> = [
  [{ PORT: 'eighty' }, /^PORT="eighty": must be an integer from 0 to 65535/],
  [{ PORT: '70000' }, /^PORT="70000"/],
  [{ PORT: '-1' }, /^PORT="-1"/],
  [{ PORT: '8080', AGENT_PORT: '8080' }, /^AGENT_PORT="8080": must differ from PORT/],
  [{ BSO_MAINT_AT: '0' }, /^BSO_MAINT_AT="0": must be an integer from 1 to 100/],
  [{ BSO_MAINT_AT: '80.5' }, /^BSO_MAINT_AT="80.5"/],
  [{ BSO_READY_AT: '100' }, /^BSO_READY_AT="100": must be an integer from 0 to 99/],
  [{ BSO_MAINT_AT: '50', BSO_READY_AT: '60' }, /^BSO_READY_AT="60": must be lower than BSO_MAINT_AT \(50\)/],
  [{ BSO_AGENT_METRIC: 'disk' }, /^BSO_AGENT_METRIC="disk": must be one of cpu, memory, max/],
  [{ BSO_AGENT_WEIGHTING: 'linear' }, /^BSO_AGENT_WEIGHTING="linear": must be one of proportional, binary/],
  [{ BSO_SAMPLE_INTERVAL: '250' }, /^BSO_SAMPLE_INTERVAL="250": must be a duration/],
  [{ BSO_HEALTH_RISE: '0' }, /^BSO_HEALTH_RISE="0": must be an integer from 1 to 100/],
  [{ BSO_HEALTH_PATH: 'healthz' }, /^BSO_HEALTH_PATH="healthz": must be an absolute path/],
  [{ BSO_SAMPLE_INTERVAL: '1ms' }, /^BSO_SAMPLE_INTERVAL="1ms": must be a duration from 50ms to 1m/],
  [{ BSO_SMOOTHING: '1.5s' }, /^BSO_SMOOTHING="1.5s"/],
  [{ BSO_MIN_MAINT_TIME: 'soon' }, /^BSO_MIN_MAINT_TIME="soon"/],
  [{ BSO_DRAIN_DELAY: '3' }, /^BSO_DRAIN_DELAY="3"/],
  [{ BSO_AGENT_MAX_CONNECTIONS: '0' }, /^BSO_AGENT_MAX_CONNECTIONS="0"/],
  [{ BSO_REFERENCE_CPUS: '0' }, /^BSO_REFERENCE_CPUS="0": must be a number of CPUs above 0/],
  [{ BSO_REFERENCE_CPUS: 'half' }, /^BSO_REFERENCE_CPUS="half"/],
  [{ BSO_MAXCONN_LIMIT: '-3' }, /^BSO_MAXCONN_LIMIT="-3": must be an integer from 0 to 100000/],
];

for (const [env, expected] of BAD) {
  test(`readApiConfig: rejects ${JSON.stringify(env)}`, () => {
    const issues = issuesOf(env);
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0]!, expected);
  });
}

test('readApiConfig: reports every bad variable at once; blank values mean the default', () => {
  assert.equal(issuesOf({ PORT: 'x', BSO_AGENT_METRIC: 'y', BSO_SMOOTHING: 'z' }).length, 3);
  assert.equal(configOf({ PORT: '', BSO_AGENT_METRIC: '  ' }).port, 8080);
});
