// bso-haproxy-supervisor: runs in the HAProxy container. Starts HAProxy on the bootstrap config,
// pulls this service's config from the operator, applies it hitlessly, reports back, serves
// /metrics and /healthz. Settings: environment variables (docs/haproxy.md).
import { existsSync, readFileSync } from 'node:fs';
import { pullConfigs } from './config-client.js';
import { startSupervisorHttp } from './http-server.js';
import { SupervisorMetrics } from './metrics.js';
import { readSettings, SettingsError, type SupervisorSettings } from './settings.js';
import { readStatsCredentials, statsEnvironment } from './stats-credentials.js';
import { builtInBootstrapConfig } from './bootstrap-config.js';
import { sendStatusReport } from './status-reporter.js';
import { Supervisor } from './supervisor.js';
import { createLogger, logSettingsFrom } from '../../lib/logger.js';

// Structured log lines on stderr (HAProxy's own lines go to stdout): BSO_LOG_FORMAT, BSO_LOG_LEVEL.
const logSettings = logSettingsFrom(process.env, process.stderr.isTTY === true);
const logger = createLogger({ component: 'haproxy-supervisor', ...('problem' in logSettings ? {} : logSettings), write: (line) => process.stderr.write(line) });
const log = (line: string, level: 'info' | 'warn' | 'error' = 'info') => logger[level](line.replace(/^bso-haproxy: /, ''));

function bootstrapText(settings: SupervisorSettings): string {
  if (existsSync(settings.bootstrapFile)) {
    log(`bso-haproxy: bootstrap config ${settings.bootstrapFile}`);
    return readFileSync(settings.bootstrapFile, 'utf8');
  }
  log(`bso-haproxy: no ${settings.bootstrapFile}; starting on the built-in bootstrap config (no listener until the operator answers)`);
  return builtInBootstrapConfig(settings.runDir);
}

function readToken(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

export async function runSupervisor(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if ('problem' in logSettings) {
    log(`bso-haproxy: invalid environment: ${logSettings.problem}`, 'error');
    return 2;
  }
  let settings: SupervisorSettings;
  try {
    settings = readSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) {
      log(`bso-haproxy: invalid environment:\n${error.message}`, 'error');
      return 2;
    }
    throw error;
  }
  const credentials = readStatsCredentials(settings.statsAuthFile);
  if (credentials.source === 'random') log(`bso-haproxy: the stats page is locked: ${credentials.problem}`, 'warn');
  const metrics = new SupervisorMetrics();
  const token = () => readToken(settings.tokenFile);
  const supervisor = new Supervisor({
    name: settings.name,
    haproxy: settings.haproxy,
    runDir: settings.runDir,
    bootstrap: bootstrapText(settings),
    env: { PATH: env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...statsEnvironment(credentials) },
    metrics,
    minReloadIntervalMs: settings.minReloadIntervalMs,
    maxOldWorkers: settings.maxOldWorkers,
    oldWorkersWaitMs: settings.oldWorkersWaitMs,
    log,
    onHAProxyLine: (line) => process.stdout.write(`${line}\n`),
    onReport: settings.operatorUrl === undefined ? undefined : (report) => sendStatusReport(settings.operatorUrl!, settings.name, token(), report),
  });
  await supervisor.start(settings.statusIntervalMs, settings.statusPollMs);
  const http = await startSupervisorHttp(metrics, () => supervisor.haproxy.running, settings.listen.host, settings.listen.port);
  log(`bso-haproxy: /metrics and /healthz on ${settings.listen.host}:${settings.listen.port}`);

  const abort = new AbortController();
  let operatorWasUp: boolean | undefined;
  const pulling = settings.operatorUrl === undefined
    ? Promise.resolve()
    : pullConfigs({
      operatorUrl: settings.operatorUrl,
      name: settings.name,
      token,
      waitMs: settings.pollWaitMs,
      signal: abort.signal,
      onConfig: (text, hash) => supervisor.offer(text, hash),
      onResult: (error) => {
        metrics.operatorUp.set(error ? 0 : 1);
        if (error) metrics.fetchErrors.inc();
        if (operatorWasUp !== !error) log(error ? `bso-haproxy: operator unreachable, HAProxy keeps serving the last good config: ${error.message}` : `bso-haproxy: connected to the operator at ${settings.operatorUrl}`);
        operatorWasUp = !error;
      },
    });
  if (settings.operatorUrl === undefined) log(`bso-haproxy: BSO_OPERATOR_URL is not set; staying on the bootstrap config`);

  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  log('bso-haproxy: stopping: HAProxy finishes the requests in flight');
  abort.abort();
  http.close();
  await supervisor.stop();
  await pulling;
  return 0;
}

process.exitCode = await runSupervisor();
