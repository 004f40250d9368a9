// The reports of several HAProxy instances of one BalancedService (spec.haproxy.replicas), as the
// one view the conditions and status.servers take, plus each instance's own view. Pure.
// An instance that has not reported for STALE_AFTER_MS is gone (its node lost, its task
// stopped): the reconciler forgets it (staleInstances). The supervisors report every 5 s
// (BSO_STATUS_INTERVAL), so a live one is never stale.
import type { ServerStatus, SupervisorReport } from './service-status.js';

export const STALE_AFTER_MS = 12_000;
/** What a report without an instance (a supervisor that predates several) counts as. */
export const UNNAMED_INSTANCE = 'haproxy';

/** Worst first: the combined state of a server is the worst any live instance sees. */
const STATE_ORDER = ['DOWN', 'MAINT', 'DRAIN', 'NOLB', 'UNKNOWN', 'UP'];
const rank = (state: string) => {
  const at = STATE_ORDER.indexOf(state);
  return at < 0 ? STATE_ORDER.indexOf('UNKNOWN') : at;
};

/** One instance's view, as status.instances shows it. */
export interface InstanceStatus {
  name: string;
  /** The config it serves. */
  configHash?: string;
  /** ISO time of its last report. */
  reportedAt: string;
  servers: Array<Pick<ServerStatus, 'name' | 'address' | 'state' | 'weight'>>;
}

/**
 * The instances to forget at `now`: those silent for more than STALE_AFTER_MS, except the one
 * heard from last when every instance is silent (its last word stands: with no instance
 * reporting there is nothing better to show, as before there could be several).
 */
export function staleInstances(reports: ReadonlyMap<string, SupervisorReport>, now: number): string[] {
  const stale = [...reports].filter(([, report]) => now - report.receivedAt > STALE_AFTER_MS);
  if (stale.length === reports.size) stale.sort(([, a], [, b]) => a.receivedAt - b.receivedAt).pop();
  return stale.map(([instance]) => instance).sort();
}

/**
 * The instances' reports as one: the config counts as applied when every instance serves the
 * same one; each server has the worst state any of them sees (an instance that cannot reach a
 * replica makes it not ready), with that instance's weight and details; a rejected config or an
 * engaged panic guard of any instance shows. undefined when there is no report.
 */
export function combineReports(reports: ReadonlyMap<string, SupervisorReport>): SupervisorReport | undefined {
  const live = sortedByName(reports).map(([, report]) => report);
  if (live.length === 0) return undefined;
  if (live.length === 1) return live[0];
  const latest = live.reduce((a, b) => (b.receivedAt > a.receivedAt ? b : a));
  const hashes = new Set(live.map((r) => r.configHash));
  const servers = new Map<string, ServerStatus>();
  for (const report of live) {
    for (const server of report.servers) {
      const key = `${server.name}@${server.address}`;
      const seen = servers.get(key);
      if (!seen || rank(server.state) < rank(seen.state) || (server.state === seen.state && server.weight < seen.weight)) servers.set(key, server);
    }
  }
  const rejected = live.find((r) => r.rejectedHash);
  return {
    ...latest,
    configHash: hashes.size === 1 ? live[0]!.configHash : undefined,
    rejectedHash: rejected?.rejectedHash,
    lastError: rejected?.lastError ?? latest.lastError,
    servers: [...servers.values()],
    panicGuard: live.find((r) => r.panicGuard?.active)?.panicGuard ?? latest.panicGuard,
  };
}

/** Each instance's own view, by name. */
export function instanceStatuses(reports: ReadonlyMap<string, SupervisorReport>): InstanceStatus[] {
  return sortedByName(reports).map(([name, report]) => ({
    name,
    configHash: report.configHash,
    reportedAt: new Date(report.receivedAt).toISOString(),
    servers: report.servers.map(({ name: server, address, state, weight }) => ({ name: server, address, state, weight })),
  }));
}

const sortedByName = (reports: ReadonlyMap<string, SupervisorReport>) => [...reports].sort(([a], [b]) => a.localeCompare(b));
