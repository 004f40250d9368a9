// bso-api's environment: every variable, its default (from the schema) and its checks.
// Pure: it takes the environment as data and returns the config or every issue at once.
import { parseDuration } from '../crd/duration.js';
import { AGENT_ENV } from '../contract/names.js';
import type { AgentLoopConfig } from './policy/agent-step.js';
import { CAPACITY_TUNING } from './policy/capacity.js';
import type { Weighting } from './policy/decide-agent-reply.js';
import type { AgentMetric } from './policy/load.js';
import { METRIC_VALUES, SCHEMA_DEFAULTS, THRESHOLD_RANGES, WEIGHTING_VALUES } from '../crd/agent-defaults.generated.js';
import { durationLimitsOf, thresholdsProblem } from '../crd/semantic-rules.js';

/** Variables the operator sets (AGENT_ENV) plus bso-api's own. */
export const API_ENV = {
  ...AGENT_ENV,
  drainDelay: 'BSO_DRAIN_DELAY',
  shutdownTimeout: 'BSO_SHUTDOWN_TIMEOUT',
  agentMaxConnections: 'BSO_AGENT_MAX_CONNECTIONS',
  delayFile: 'BSO_API_DELAY_FILE',
} as const;

export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';
/** Long enough for HAProxy to ask the agent once more (agent-inter, 2s by default) after drain. */
export const DEFAULT_DRAIN_DELAY = '3s';
export const DEFAULT_SHUTDOWN_TIMEOUT = '5s';
export const DEFAULT_AGENT_MAX_CONNECTIONS = 4096;

export interface ApiConfig {
  port: number;
  agentPort: number;
  /** Everything the agent's policy needs, as one object (thresholds, metric, smoothing, capacity). */
  loop: AgentLoopConfig;
  sampleIntervalMs: number;
  cgroupRoot: string;
  /** True when BSO_CGROUP_ROOT was set: then it must exist. */
  cgroupRootExplicit: boolean;
  drainDelayMs: number;
  shutdownTimeoutMs: number;
  agentMaxConnections: number;
  /** BSO_API_DELAY_FILE: a file whose number of ms delays every request (benchmarks, demos); undefined = none. */
  delayFile: string | undefined;
  /** HAProxy's health check (spec.healthCheck.path and .rise): when this replica counts as ready (contract/readiness.ts). */
  healthCheck: { path: string; rise: number };
}

export interface ConfigIssue {
  variable: string;
  value: string;
  message: string;
}

export type ConfigResult = { ok: true; config: ApiConfig } | { ok: false; issues: ConfigIssue[] };

type Env = Record<string, string | undefined>;

export function readApiConfig(env: Env): ConfigResult {
  const issues: ConfigIssue[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number, hint = ''): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      issues.push({ variable: name, value, message: `must be an integer from ${min} to ${max}${hint}` });
      return fallback;
    }
    return n;
  };
  const duration = (name: string, fallback: string, { minMs, maxMs }: { minMs: number; maxMs: number }): number => {
    const value = raw(name) ?? fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      issues.push({ variable: name, value, message: `must be a duration from ${formatMs(minMs)} to ${formatMs(maxMs)} such as 500ms, 2s or 1m` });
      return parseDuration(fallback)!;
    }
    return ms;
  };

  const healthPath = (): string => {
    const value = raw(API_ENV.healthPath) ?? SCHEMA_DEFAULTS.healthPath;
    if (/^\/[A-Za-z0-9._~/-]*$/.test(value)) return value;
    issues.push({ variable: API_ENV.healthPath, value, message: 'must be an absolute path of letters, digits and . _ ~ / -' });
    return SCHEMA_DEFAULTS.healthPath;
  };

  const port = integer(API_ENV.port, SCHEMA_DEFAULTS.port, 0, 65535, ' (0 picks a free port)');
  const agentPort = integer(API_ENV.agentPort, SCHEMA_DEFAULTS.agentPort, 0, 65535, ' (0 picks a free port)');
  if (port !== 0 && port === agentPort) {
    issues.push({ variable: API_ENV.agentPort, value: String(agentPort), message: `must differ from ${API_ENV.port}` });
  }
  const maintAt = integer(API_ENV.maintAt, SCHEMA_DEFAULTS.maintAt, THRESHOLD_RANGES.maint.min, THRESHOLD_RANGES.maint.max, ' (percent)');
  const readyAt = integer(API_ENV.readyAt, SCHEMA_DEFAULTS.readyAt, THRESHOLD_RANGES.ready.min, THRESHOLD_RANGES.ready.max, ' (percent)');
  const order = thresholdsProblem(maintAt, readyAt, API_ENV.maintAt);
  if (order) issues.push({ variable: API_ENV.readyAt, value: String(readyAt), message: order });
  const metricText = raw(API_ENV.metric) ?? SCHEMA_DEFAULTS.metric;
  if (!METRIC_VALUES.includes(metricText)) {
    issues.push({ variable: API_ENV.metric, value: metricText, message: `must be one of ${METRIC_VALUES.join(', ')}` });
  }
  const weightingText = raw(API_ENV.weighting) ?? SCHEMA_DEFAULTS.weighting;
  if (!WEIGHTING_VALUES.includes(weightingText)) {
    issues.push({ variable: API_ENV.weighting, value: weightingText, message: `must be one of ${WEIGHTING_VALUES.join(', ')}` });
  }
  const referenceCpus = raw(API_ENV.referenceCpus);
  const referenceCores = referenceCpus === undefined ? undefined : Number(referenceCpus);
  if (referenceCores !== undefined && !(Number.isFinite(referenceCores) && referenceCores > 0 && referenceCores <= 1024)) {
    issues.push({ variable: API_ENV.referenceCpus, value: referenceCpus!, message: 'must be a number of CPUs above 0 and at most 1024, such as 0.5' });
  }
  const concurrencyCap = integer(API_ENV.maxconnLimit, SCHEMA_DEFAULTS.maxconnPerServer, 0, 100_000, ' (0 = no limit)');
  const cgroupRoot = raw(API_ENV.cgroupRoot);
  const config: ApiConfig = {
    port,
    agentPort,
    loop: {
      metric: (METRIC_VALUES.includes(metricText) ? metricText : SCHEMA_DEFAULTS.metric) as AgentMetric,
      // The spec's bounds (crd/semantic-rules.ts), whoever sets the variable.
      smoothingMs: duration(API_ENV.smoothing, SCHEMA_DEFAULTS.smoothing, durationLimitsOf('spec.agent.smoothing')),
      policy: {
        maintAt,
        readyAt,
        minMaintMs: duration(API_ENV.minMaintTime, SCHEMA_DEFAULTS.minMaintTime, durationLimitsOf('spec.agent.minMaintTime')),
        weighting: (WEIGHTING_VALUES.includes(weightingText) ? weightingText : SCHEMA_DEFAULTS.weighting) as Weighting,
      },
      capacity: {
        referenceCores: referenceCores !== undefined && referenceCores > 0 && referenceCores <= 1024 ? referenceCores : undefined,
        concurrencyCap,
        tuning: CAPACITY_TUNING,
      },
    },
    sampleIntervalMs: duration(API_ENV.sampleInterval, SCHEMA_DEFAULTS.sampleInterval, durationLimitsOf('spec.agent.sampleInterval')),
    cgroupRoot: cgroupRoot ?? DEFAULT_CGROUP_ROOT,
    cgroupRootExplicit: cgroupRoot !== undefined,
    drainDelayMs: duration(API_ENV.drainDelay, DEFAULT_DRAIN_DELAY, { minMs: 0, maxMs: 600_000 }),
    shutdownTimeoutMs: duration(API_ENV.shutdownTimeout, DEFAULT_SHUTDOWN_TIMEOUT, { minMs: 0, maxMs: 600_000 }),
    agentMaxConnections: integer(API_ENV.agentMaxConnections, DEFAULT_AGENT_MAX_CONNECTIONS, 1, 1_000_000),
    delayFile: raw(API_ENV.delayFile),
    healthCheck: { path: healthPath(), rise: integer(API_ENV.healthRise, SCHEMA_DEFAULTS.healthRise, 1, 100) },
  };
  return issues.length === 0 ? { ok: true, config } : { ok: false, issues };
}

export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.variable}=${JSON.stringify(issue.value)}: ${issue.message}`;
}

function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
