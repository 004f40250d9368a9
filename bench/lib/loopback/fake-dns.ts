// A tiny authoritative DNS server on loopback for tests: answers A queries for the names it is
// given (like Docker's resolver answers tasks.<service>), NXDOMAIN for others, no records for
// other types. Lets the tests use the production path (server-template + resolvers) unchanged.
// The messages are lib/dns-message.ts's, as the operator's endpoints DNS sends them.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { respondToDnsQuery, type DnsZone } from '../../../lib/dns-message.js';

export class FakeDns {
  private readonly records = new Map<string, string[]>();
  private readonly zone: DnsZone = { origin: '', ttlSeconds: 1, addressesOf: (name) => this.records.get(name) };
  private socket: Socket | undefined;
  queries = 0;

  /** Sets the addresses `name` resolves to (none: NXDOMAIN, like Docker with zero tasks). */
  set(name: string, addresses: readonly string[]): void {
    this.records.set(name.toLowerCase(), [...addresses]);
  }

  async start(host = '127.0.0.1'): Promise<string> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (message, remote) => this.answer(message, remote));
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    return `${host}:${socket.address().port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
  }

  private answer(query: Buffer, remote: RemoteInfo): void {
    const reply = respondToDnsQuery(query, this.zone);
    if (!reply) return;
    this.queries += 1;
    this.socket?.send(reply, remote.port, remote.address);
  }
}
