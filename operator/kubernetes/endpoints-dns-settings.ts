// `bso operator --endpoints-dns LISTEN [--endpoints-dns-address IP:PORT]` (or BSO_ENDPOINTS_DNS,
// BSO_ENDPOINTS_DNS_ADDRESS) -> where the endpoints DNS listens and the nameserver HAProxy pods
// are given. Pure: a problem is a message naming the flag; the CLI prints it (exit 2).
import { parseIpv4HostPort } from '../../lib/ipv4-address.js';

export interface EndpointsDnsSettings {
  /** The udp4 address the endpoints DNS binds. */
  listen: { host: string; port: number };
  /** IPv4 host:port HAProxy pods send their queries to (KubernetesDiscovery.nameserver). */
  nameserver: string;
}

export interface EndpointsDnsFlags {
  backend: 'swarm' | 'kubernetes';
  /** --endpoints-dns / BSO_ENDPOINTS_DNS */
  listen?: string;
  /** --endpoints-dns-address / BSO_ENDPOINTS_DNS_ADDRESS */
  address?: string;
}

const LISTEN = '--endpoints-dns (BSO_ENDPOINTS_DNS)';
const ADDRESS = '--endpoints-dns-address (BSO_ENDPOINTS_DNS_ADDRESS)';

/** undefined settings: no endpoints DNS (the default: HAProxy asks the cluster's DNS). */
export function endpointsDnsSettings(flags: EndpointsDnsFlags): { settings: EndpointsDnsSettings | undefined } | { problem: string } {
  const listenText = flags.listen || undefined;
  const addressText = flags.address || undefined;
  if (listenText === undefined) {
    return addressText === undefined ? { settings: undefined } : { problem: `${ADDRESS} ${addressText}: goes with ${LISTEN}` };
  }
  if (flags.backend !== 'kubernetes') {
    return { problem: `${LISTEN} is for --backend kubernetes on clusters without cluster DNS; on Swarm, HAProxy asks Docker's DNS` };
  }
  const listen = parseIpv4HostPort(listenText);
  if (!listen) return { problem: `${LISTEN} ${listenText}: must be the IPv4 host:port it listens on (UDP), e.g. 0.0.0.0:5353` };
  if (addressText === undefined) {
    if (listen.address === '0.0.0.0') {
      return { problem: `${LISTEN} ${listenText} listens on every address: ${ADDRESS} must say which IP:PORT HAProxy pods send their queries to, e.g. the operator Service's ClusterIP` };
    }
    return { settings: { listen: { host: listen.address, port: listen.port }, nameserver: listenText } };
  }
  const address = parseIpv4HostPort(addressText);
  if (!address || address.address === '0.0.0.0') {
    return { problem: `${ADDRESS} ${addressText}: must be the IPv4 host:port HAProxy pods send their queries to, e.g. 10.96.0.53:5353` };
  }
  return { settings: { listen: { host: listen.address, port: listen.port }, nameserver: addressText } };
}
