// The operator's endpoints DNS at work: the server bound where --endpoints-dns says and fed
// from this backend's pods until stopped. Every operator replica runs it, standbys too (the
// feed only reads), so HAProxy gets answers from whichever one its nameserver address reaches.
import { BsoError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { kubernetesServiceZone } from '../../contract/names.js';
import { EndpointsDns } from './endpoints-dns.js';
import type { EndpointsDnsSettings } from './endpoints-dns-settings.js';
import type { KubernetesBackend } from './kubernetes-backend.js';
import type { EndpointsTable } from './pod-endpoints.js';

/** Starts answering; resolves to the stop. A port it cannot bind is BSO_USAGE (not retried). */
export async function runEndpointsDns(kubernetes: KubernetesBackend, settings: EndpointsDnsSettings, logger: Logger, clusterDomain?: string): Promise<() => Promise<void>> {
  const { host, port } = settings.listen;
  const dns = new EndpointsDns({ namespace: kubernetes.namespace, clusterDomain, onError: (error) => logger.warn(`endpoints DNS: ${error.message}`) });
  try {
    await dns.listen(host, port);
  } catch (error) {
    throw new BsoError('BSO_USAGE', `--endpoints-dns ${host}:${port}: cannot listen on UDP: ${(error as Error).message}`, { cause: error });
  }
  const stopFeed = kubernetes.feedEndpoints((table) => {
    const changed = changedNames(dns.records, table);
    dns.setTable(table);
    for (const name of changed) logger.debug(`endpoints DNS: ${name} -> ${table.get(name)?.join(' ') || 'NXDOMAIN'}`);
  }, {
    clusterDomain,
    onError: (error, retryInMs) => logger.warn(`endpoints DNS: cannot follow the pods (${(error as Error).message}); answering as before, retrying in ${retryInMs / 1000}s`),
  });
  logger.info(`endpoints DNS: answering the API replicas of ${kubernetesServiceZone(kubernetes.namespace, clusterDomain)} on udp ${host}:${port}; HAProxy asks ${settings.nameserver}`);
  return async () => {
    stopFeed();
    await dns.close();
  };
}

function changedNames(before: EndpointsTable, after: EndpointsTable): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name)?.join(' ') !== after.get(name)?.join(' ')).sort();
}
