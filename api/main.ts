// bso-api: one API replica with its embedded agent-check server (bin/bso-api.js runs the
// compiled form of this file). Reads the environment (docs/api.md), starts, and on SIGTERM or
// SIGINT drains and exits 0. A bad environment exits 2 (BSO_AGENT_CONFIG) before anything starts.
import { statSync } from 'node:fs';
import { ERROR_CODES } from '../lib/errors.js';
import { createLogger, logSettingsFrom } from '../lib/logger.js';
import { API_ENV, formatConfigIssue, readApiConfig } from './config.js';
import { startApi } from './start-api.js';

// Structured log lines (BSO_LOG_FORMAT, BSO_LOG_LEVEL); problems before start-up go to stderr.
const logSettings = logSettingsFrom(process.env, process.stdout.isTTY === true);
const logger = createLogger({ component: 'api', ...('problem' in logSettings ? {} : logSettings) });
const log = (message: string) => logger.info(message);

function fail(lines: string[], exitCode: number): never {
  for (const line of lines) process.stderr.write(`bso-api: ${line}\n`);
  process.exit(exitCode);
}

if ('problem' in logSettings) fail([logSettings.problem, 'invalid environment (BSO_AGENT_CONFIG); see docs/api.md'], 2);

const result = readApiConfig(process.env);
if (!result.ok) {
  fail([...result.issues.map(formatConfigIssue), `invalid environment (BSO_AGENT_CONFIG: ${ERROR_CODES.BSO_AGENT_CONFIG}); see docs/api.md`], 2);
}
const config = result.config;
if (config.cgroupRootExplicit && !isDirectory(config.cgroupRoot)) {
  fail([`${API_ENV.cgroupRoot}=${JSON.stringify(config.cgroupRoot)}: is not a directory`, 'invalid environment (BSO_AGENT_CONFIG)'], 2);
}

let api;
try {
  api = await startApi(config, log);
} catch (error) {
  fail([(error as Error).message], 1);
}
const snapshot = api.agent.snapshot();
log(
  `listening http=:${api.httpPort} agent=:${api.agent.port} probe=${snapshot.probe} (${snapshot.probeSource}) ` +
    `metric=${config.loop.metric} maint=${config.loop.policy.maintAt}% ready=${config.loop.policy.readyAt}% weighting=${config.loop.policy.weighting}`,
);

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) fail([`${signal} again: exiting now`], 1);
  void api.shutdown(signal).then(() => process.exit(0));
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
