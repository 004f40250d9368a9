// IPv4 addresses and IPv4 host:port pairs as bso accepts them from flags and contexts: dotted
// quads without leading zeros, ports 1..65535. Pure.

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export function isIpv4Address(text: string): boolean {
  return IPV4.test(text);
}

/** `A.B.C.D:PORT` -> its parts; undefined for anything else (a name, IPv6, port 0 or > 65535). */
export function parseIpv4HostPort(text: string): { address: string; port: number } | undefined {
  const match = /^([0-9.]+):([0-9]{1,5})$/.exec(text);
  if (!match || !isIpv4Address(match[1]!)) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { address: match[1]!, port } : undefined;
}
