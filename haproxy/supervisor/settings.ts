// The supervisor's settings, from its environment (documented in docs/haproxy.md). Secrets come
// from files (Docker secrets), never from environment variables.
import { durationMs, parseDuration } from '../../crd/duration.js';
import { statsSecretName, SUPERVISOR_ENV } from '../../contract/names.js';
import { DEFAULT_RUN_DIR } from '../render/context.js';

export interface SupervisorSettings {
  name: string;
  /** Where the operator serves configs; without it HAProxy stays on the bootstrap config. */
  operatorUrl?: string;
  tokenFile: string;
  statsAuthFile: string;
  haproxy: string;
  runDir: string;
  bootstrapFile: string;
  listen: { host: string; port: number };
  pollWaitMs: number;
  minReloadIntervalMs: number;
  maxOldWorkers: number;
  oldWorkersWaitMs: number;
  statusIntervalMs: number;
  statusPollMs: number;
}

/** What the operator sets (contract/names.ts), then the supervisor's own settings. */
export const ENV = {
  ...SUPERVISOR_ENV,
  haproxy: 'BSO_HAPROXY_BIN',
  runDir: 'BSO_HAPROXY_RUN_DIR',
  bootstrapFile: 'BSO_HAPROXY_BOOTSTRAP',
  listen: 'BSO_SUPERVISOR_LISTEN',
  pollWait: 'BSO_POLL_WAIT',
  minReloadInterval: 'BSO_MIN_RELOAD_INTERVAL',
  maxOldWorkers: 'BSO_MAX_OLD_WORKERS',
  oldWorkersWait: 'BSO_OLD_WORKERS_WAIT',
  statusInterval: 'BSO_STATUS_INTERVAL',
  statusPoll: 'BSO_STATUS_POLL',
} as const;

export const DEFAULT_TOKEN_FILE = '/run/secrets/bso-operator-token';
export const DEFAULT_BOOTSTRAP_FILE = '/etc/bso/haproxy-bootstrap.cfg';
export const DEFAULT_LISTEN = '0.0.0.0:9465';

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export function readSettings(env: NodeJS.ProcessEnv): SupervisorSettings {
  const problems: string[] = [];
  const name = env[ENV.name] ?? '';
  if (!/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(name)) problems.push(`${ENV.name} must be the BalancedService name (a DNS label), not ${JSON.stringify(name)}`);
  const duration = (key: string, fallback: string, min: number) => {
    const text = env[key] ?? fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms < min) {
      problems.push(`${key} must be a duration such as ${fallback}, at least ${min} ms`);
      return durationMs(fallback);
    }
    return ms;
  };
  const operatorUrl = env[ENV.operatorUrl] || undefined;
  if (operatorUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(operatorUrl)) problems.push(`${ENV.operatorUrl} must be an http(s) URL, not ${JSON.stringify(operatorUrl)}`);
  const listenText = env[ENV.listen] ?? DEFAULT_LISTEN;
  const listen = /^([0-9.]*|\[[0-9a-f:]+\]):([0-9]{1,5})$/i.exec(listenText);
  if (!listen || Number(listen[2]) > 65535) problems.push(`${ENV.listen} must be HOST:PORT, not ${JSON.stringify(listenText)}`);
  const maxOld = Number(env[ENV.maxOldWorkers] ?? 4);
  if (!Number.isInteger(maxOld) || maxOld < 1) problems.push(`${ENV.maxOldWorkers} must be an integer of at least 1`);
  const settings: SupervisorSettings = {
    name,
    operatorUrl,
    tokenFile: env[ENV.tokenFile] ?? DEFAULT_TOKEN_FILE,
    statsAuthFile: env[ENV.statsAuthFile] ?? `/run/secrets/${statsSecretName(name)}`,
    haproxy: env[ENV.haproxy] ?? '/usr/sbin/haproxy',
    runDir: env[ENV.runDir] ?? DEFAULT_RUN_DIR,
    bootstrapFile: env[ENV.bootstrapFile] ?? DEFAULT_BOOTSTRAP_FILE,
    listen: { host: (listen?.[1] ?? '').replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(listen?.[2] ?? 9465) },
    pollWaitMs: duration(ENV.pollWait, '30s', 0),
    minReloadIntervalMs: duration(ENV.minReloadInterval, '2s', 0),
    maxOldWorkers: maxOld,
    oldWorkersWaitMs: duration(ENV.oldWorkersWait, '1m', 0),
    statusIntervalMs: duration(ENV.statusInterval, '5s', 100),
    statusPollMs: duration(ENV.statusPoll, '1s', 100),
  };
  if (problems.length > 0) throw new SettingsError(problems.join('\n'));
  return settings;
}
