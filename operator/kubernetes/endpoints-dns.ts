// The endpoints DNS (edge), for Kubernetes clusters without cluster DNS: a UDP DNS server that
// answers NAME-api.NAMESPACE.svc.CLUSTER_DOMAIN with the addresses of that BalancedService's
// running API pods, Ready or not (pod-endpoints.ts), as the headless Service's DNS would, so that HAProxy's resolvers
// (KubernetesDiscovery.nameserver) keep the path cluster DNS would give them: server-template
// slots filled from the answer, a slot without a record in resolution-MAINT. It answers from
// its in-memory table only (lib/dns-message.ts), never asking the Kubernetes API per query;
// setTable replaces that table: the pod feed (pod-endpoints-feed.ts) calls it on every change.
import { createSocket, type Socket } from 'node:dgram';
import { respondToDnsQuery, type DnsZone } from '../../lib/dns-message.js';
import { kubernetesServiceZone } from '../../contract/names.js';
import type { EndpointsTable } from './pod-endpoints.js';

/**
 * TTL of every answer. HAProxy ignores it (it asks again every `timeout resolve`, 1 s), but a
 * caching client would keep a pod that is gone for this long: 1 s keeps any asker
 * as fresh as HAProxy, and an answer from memory on loopback or the pod network costs nothing.
 * (CoreDNS's kubernetes plugin defaults to 5 s.)
 */
export const ENDPOINTS_DNS_TTL_SECONDS = 1;

export interface EndpointsDnsOptions {
  namespace: string;
  /** Default cluster.local, as the renderer's. */
  clusterDomain?: string;
  /** A socket error after start (the server keeps running). */
  onError?: (error: Error) => void;
}

export class EndpointsDns {
  private table: EndpointsTable = new Map();
  private socket: Socket | undefined;
  private readonly zone: DnsZone;

  constructor(private readonly options: EndpointsDnsOptions) {
    this.zone = {
      origin: kubernetesServiceZone(options.namespace, options.clusterDomain).toLowerCase(),
      ttlSeconds: ENDPOINTS_DNS_TTL_SECONDS,
      addressesOf: (name) => this.table.get(name),
    };
  }

  /** The names (any letter case) and addresses it answers from now on; every other name of the zone is NXDOMAIN. */
  setTable(table: EndpointsTable): void {
    this.table = new Map([...table].map(([name, addresses]) => [name.toLowerCase(), [...addresses]]));
  }

  get records(): EndpointsTable { return this.table; }

  /** Binds udp4 host:port (port 0: any free one); resolves to the bound address. */
  async listen(host: string, port: number): Promise<{ address: string; port: number }> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (error) => this.options.onError?.(error));
    socket.on('message', (message, remote) => {
      const reply = respondToDnsQuery(message, this.zone);
      if (reply) socket.send(reply, remote.port, remote.address, (error) => { if (error) this.options.onError?.(error); });
    });
    this.socket = socket;
    return socket.address();
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }
}
