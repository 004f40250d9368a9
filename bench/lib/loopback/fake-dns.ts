// A tiny authoritative DNS server on loopback for tests: answers A queries for the names it is
// given (like Docker's resolver answers tasks.<service>), NXDOMAIN for others, no records for
// other types. Lets the tests use the production path (server-template + resolvers) unchanged.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export class FakeDns {
  private readonly records = new Map<string, string[]>();
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
    if (query.length < 12 || query.readUInt16BE(4) !== 1) return;
    this.queries += 1;
    let offset = 12;
    const labels: string[] = [];
    while (offset < query.length && query[offset] !== 0) {
      const length = query[offset]!;
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
      offset += 1 + length;
    }
    offset += 1;
    if (offset + 4 > query.length) return;
    const type = query.readUInt16BE(offset);
    const questionEnd = offset + 4;
    const addresses = this.records.get(labels.join('.').toLowerCase());
    const found = addresses !== undefined && addresses.length > 0;
    const answers = found && type === 1 ? addresses : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    const rd = query.readUInt16BE(2) & 0x0100;
    header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | (found ? 0 : 3), 2); // QR AA RD RA, NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const records = answers.map((address) => {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(1, 6); // TTL 1 s
      record.writeUInt16BE(4, 10);
      address.split('.').forEach((part, i) => record.writeUInt8(Number(part), 12 + i));
      return record;
    });
    this.socket?.send(Buffer.concat([header, query.subarray(12, questionEnd), ...records]), remote.port, remote.address);
  }
}
