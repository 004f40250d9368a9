// Mounts the supervisors' config API (operator/config-endpoint.ts) on the operator: configs come
// from the reconciler, status reports go back into it (status.servers, rejected configs).
import type { Express } from 'express';
import { createConfigEndpoint } from './config-endpoint.js';
import { agentAnswered, type StatusReport } from '../contract/supervisor-protocol.js';
import type { SupervisorReport } from './core/service-status.js';
import type { Reconciler } from './reconciler.js';

export function supervisorConfigApi(reconciler: Reconciler, token: string) {
  const endpoint = createConfigEndpoint({
    token,
    configFor: (name) => reconciler.configs.get(name),
    onStatus: (name, report) => reconciler.report(name, toSupervisorReport(report)),
  });
  return {
    mount: (app: Express) => { app.use((req, res, next) => endpoint.handle(req, res, next)); },
    notify: (name: string) => endpoint.notify(name),
    close: () => endpoint.close(),
  };
}

export function toSupervisorReport(report: StatusReport): Omit<SupervisorReport, 'receivedAt'> {
  return {
    instance: instanceName(report.instance),
    configHash: report.configHash,
    lastOutcome: report.lastOutcome,
    rejectedHash: report.rejectedConfigHash,
    lastError: report.lastError,
    lastReloadSeconds: report.lastReloadSeconds,
    panicGuard: report.panicGuard && {
      active: report.panicGuard.active,
      thresholdPercent: report.panicGuard.thresholdPercent,
      since: report.panicGuard.since,
      held: report.panicGuard.held.map((h) => ({ name: h.name, address: h.address.replace(/:\d+$/, '') })),
    },
    servers: report.servers
      .filter((s) => s.address)
      .map((s) => ({
        name: s.name,
        address: s.address!.replace(/:\d+$/, ''),
        state: s.state,
        // What HAProxy sends it: nothing in MAINT or DRAIN (show stat keeps the weight it had).
        weight: s.state === 'MAINT' || s.state === 'DRAIN' ? 0 : s.weight,
        agent: s.agentDescription ?? s.agentStatus,
        ...(typeof s.cpu === 'number' && Number.isFinite(s.cpu) ? { cpu: s.cpu } : {}),
        ...(typeof s.memory === 'number' && Number.isFinite(s.memory) ? { memory: s.memory } : {}),
        ...(agentAnswered(s.agentStatus) === undefined ? {} : { agentAnswered: agentAnswered(s.agentStatus) }),
      })),
  };
}

/** A host name as the instance's key and its name in status; anything else counts as unnamed. */
function instanceName(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/.test(value) ? value : undefined;
}
