// Builds the supervisor's status report from HAProxy itself (`show proc`, `show stat`) and
// sends it to the operator (PUT /v1/haproxy/<name>/status), one report at a time.
import { hostname } from 'node:os';
import { STATUS_PATH, type PanicGuardStatus, type StatusReport } from '../../contract/supervisor-protocol.js';
import { panicBackendName } from '../render/build-model.js';
import type { HAProxyProcess } from './haproxy-process.js';
import { sendCommand } from './runtime-api.js';
import { parseShowStat, type ServerReport } from './show-stat.js';

export type UpdateSummary = Pick<StatusReport, 'configHash' | 'loadedConfigHash' | 'lastOutcome' | 'lastReason' | 'lastError' | 'rejectedConfigHash' | 'updatedAt' | 'lastReloadSeconds'>;

/** The servers reported are the agent-checked ones: the panic guard's backend (<name>-panic) is left out. */
export async function buildStatusReport(process: HAProxyProcess, masterSocket: string, summary: UpdateSummary, panicGuard?: PanicGuardStatus, name?: string): Promise<StatusReport> {
  const report: StatusReport = { ...summary, reportedAt: new Date().toISOString(), instance: hostname(), haproxy: { running: false, oldWorkers: 0, reloads: 0 }, servers: [], panicGuard };
  if (!process.running) return report;
  try {
    const table = await process.showProc();
    const worker = table.workers[0];
    report.haproxy = { running: worker !== undefined, masterPid: table.master.pid, workerPid: worker?.pid, oldWorkers: table.oldWorkers.length, reloads: table.master.reloads };
    if (worker) report.servers = (await serversOf(masterSocket, worker.pid)).filter((s) => name === undefined || s.backend !== panicBackendName(name));
  } catch {
    // HAProxy is reloading or restarting: report what is known
  }
  return report;
}

async function serversOf(masterSocket: string, pid: number): Promise<ServerReport[]> {
  return parseShowStat(await sendCommand(masterSocket, `@!${pid} show stat`, 10_000));
}

export async function sendStatusReport(operatorUrl: string, name: string, token: string, report: StatusReport, timeoutMs = 10_000): Promise<void> {
  const response = await fetch(new URL(STATUS_PATH(name), operatorUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  if (response.status !== 204 && response.status !== 200) throw new Error(`PUT ${STATUS_PATH(name)}: HTTP ${response.status}`);
}
