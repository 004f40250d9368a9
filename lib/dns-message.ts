// DNS messages (RFC 1035; the OPT record of EDNS, RFC 6891) for bso's small authoritative DNS
// servers: the endpoints DNS the operator runs for HAProxy on Kubernetes clusters without
// cluster DNS, and the benches' stand-in for Docker's resolver. Pure: bytes in, bytes out, no
// sockets. One question per query and A records only, which is all HAProxy's resolvers ask for
// (`resolve-prefer ipv4`). A message that is not a well-formed query is ignored (undefined),
// never answered and never thrown at: a server must not answer answers, nor die of junk.
import { isIpv4Address } from './ipv4-address.js';

export const DNS_TYPE = { A: 1, AAAA: 28, OPT: 41 } as const;
export const DNS_CLASS_IN = 1;
export const RCODE = { noError: 0, nxDomain: 3, notImplemented: 4, refused: 5 } as const;
/** The answer size every client takes over UDP; an EDNS client says how much more it takes. */
export const CLASSIC_UDP_SIZE = 512;
/** The largest UDP payload (65535 - IP and UDP headers): the most an EDNS client is sent. */
export const MAX_UDP_SIZE = 65_507;
/** The payload size this server's own OPT record announces. */
export const OWN_UDP_SIZE = 4096;

const HEADER_BYTES = 12;
const A_RECORD_BYTES = 16; // name pointer 2, type 2, class 2, TTL 4, length 2, address 4
const OPT_RECORD_BYTES = 11; // root name 1, type 2, class 2, TTL 4, length 2
const MAX_NAME_BYTES = 255;
const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const POINTER_TO_QUESTION = 0xc000 | HEADER_BYTES;

export interface DnsQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  /**
   * The name asked: ASCII letters in lower case (names match in any letter case), no final dot,
   * and in presentation format where a label holds a dot, a backslash or an unprintable byte
   * (`\.`, `\\`, `\DDD`), so that no two different names read the same.
   */
  name: string;
  type: number;
  qclass: number;
  /** The question section as sent, the asker's letter case kept: the answer repeats it. */
  question: Uint8Array;
  /** The query carried an OPT record (EDNS), so the answer carries one too. */
  edns: boolean;
  /** The largest answer the asker takes: 512 bytes, or what its OPT record says (at most MAX_UDP_SIZE). */
  udpSize: number;
}

/** The records a server is authoritative for. */
export interface DnsZone {
  /** The zone's apex in lower case: it answers for this name and every name below it; '' for every name. */
  origin: string;
  /** The IPv4 addresses of `name` (as DnsQuery.name spells it); undefined or none: the name does not exist. */
  addressesOf(name: string): readonly string[] | undefined;
  ttlSeconds: number;
}

/** The answer to `message`, or undefined when it is not a well-formed query (ignore it). */
export function respondToDnsQuery(message: Uint8Array, zone: DnsZone): Uint8Array | undefined {
  const query = parseDnsQuery(message);
  return query && answerDnsQuery(query, zone);
}

export function parseDnsQuery(message: Uint8Array): DnsQuery | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const u16 = (offset: number) => view.getUint16(offset);
  const flags = u16(2);
  if (flags & FLAG_QR) return undefined;
  if (u16(4) !== 1 || u16(6) !== 0 || u16(8) !== 0) return undefined;
  const name = readQuestionName(message, HEADER_BYTES);
  if (!name || name.end + 4 > message.length) return undefined;
  const questionEnd = name.end + 4;
  let edns = false;
  let udpSize = CLASSIC_UDP_SIZE;
  let offset = questionEnd;
  for (let i = 0; i < u16(10); i++) {
    const fixed = skipName(message, offset);
    if (fixed === undefined || fixed + 10 > message.length) return undefined;
    const end = fixed + 10 + u16(fixed + 8);
    if (end > message.length) return undefined;
    if (u16(fixed) === DNS_TYPE.OPT) {
      if (edns) return undefined; // two OPT records: a format error (RFC 6891 6.1.1)
      edns = true;
      udpSize = Math.min(Math.max(u16(fixed + 2), CLASSIC_UDP_SIZE), MAX_UDP_SIZE);
    }
    offset = end;
  }
  return {
    id: u16(0),
    opcode: (flags >> 11) & 0x0f,
    recursionDesired: (flags & FLAG_RD) !== 0,
    name: name.text,
    type: u16(name.end),
    qclass: u16(name.end + 2),
    question: message.subarray(HEADER_BYTES, questionEnd),
    edns,
    udpSize,
  };
}

/**
 * The authoritative answer: the name's A records, as many as fit in the asker's UDP size (TC
 * set when some did not); NOERROR without records for other types of a name that exists;
 * NXDOMAIN for a name of the zone without addresses; REFUSED outside the zone or class IN;
 * NOTIMP for opcodes other than QUERY.
 */
export function answerDnsQuery(query: DnsQuery, zone: DnsZone): Uint8Array {
  const inZone = query.qclass === DNS_CLASS_IN && isInZone(query.name, zone.origin);
  const addresses = inZone ? (zone.addressesOf(query.name) ?? []).filter(isIpv4Address) : [];
  const rcode = query.opcode !== 0 ? RCODE.notImplemented : !inZone ? RCODE.refused : addresses.length === 0 ? RCODE.nxDomain : RCODE.noError;
  const wanted = rcode === RCODE.noError && query.type === DNS_TYPE.A ? addresses : [];
  const fixedBytes = HEADER_BYTES + query.question.length + (query.edns ? OPT_RECORD_BYTES : 0);
  const fits = Math.max(0, Math.floor((query.udpSize - fixedBytes) / A_RECORD_BYTES));
  const answers = wanted.slice(0, fits);
  const message = Buffer.alloc(fixedBytes + answers.length * A_RECORD_BYTES);
  const authoritative = inZone && query.opcode === 0;
  const flags = FLAG_QR | (query.opcode << 11) | (authoritative ? FLAG_AA : 0) | (answers.length < wanted.length ? FLAG_TC : 0)
    | (query.recursionDesired ? FLAG_RD : 0) | rcode;
  message.writeUInt16BE(query.id, 0);
  message.writeUInt16BE(flags, 2);
  message.writeUInt16BE(1, 4);
  message.writeUInt16BE(answers.length, 6);
  message.writeUInt16BE(query.edns ? 1 : 0, 10);
  message.set(query.question, HEADER_BYTES);
  let offset = HEADER_BYTES + query.question.length;
  for (const address of answers) {
    message.writeUInt16BE(POINTER_TO_QUESTION, offset);
    message.writeUInt16BE(DNS_TYPE.A, offset + 2);
    message.writeUInt16BE(DNS_CLASS_IN, offset + 4);
    message.writeUInt32BE(zone.ttlSeconds, offset + 6);
    message.writeUInt16BE(4, offset + 10);
    address.split('.').forEach((part, i) => message.writeUInt8(Number(part), offset + 12 + i));
    offset += A_RECORD_BYTES;
  }
  if (query.edns) {
    // Root name (the zero byte Buffer.alloc left), type OPT, class = our UDP size, TTL and length 0.
    message.writeUInt16BE(DNS_TYPE.OPT, offset + 1);
    message.writeUInt16BE(OWN_UDP_SIZE, offset + 3);
  }
  return message;
}

function isInZone(name: string, origin: string): boolean {
  return origin === '' || name === origin || name.endsWith(`.${origin}`);
}

/** A question's name: uncompressed labels (a query has nothing to point back to). */
function readQuestionName(message: Uint8Array, start: number): { text: string; end: number } | undefined {
  const labels: string[] = [];
  let offset = start;
  for (;;) {
    if (offset >= message.length || offset - start >= MAX_NAME_BYTES) return undefined;
    const length = message[offset]!;
    if (length === 0) return { text: labels.join('.'), end: offset + 1 };
    if (length > 63 || offset + 1 + length > message.length) return undefined;
    labels.push(labelText(message.subarray(offset + 1, offset + 1 + length)));
    offset += 1 + length;
  }
}

/** Where the fixed part of a record starts: after its name (labels, ended by a zero or a pointer). */
function skipName(message: Uint8Array, start: number): number | undefined {
  let offset = start;
  for (;;) {
    if (offset >= message.length || offset - start >= MAX_NAME_BYTES) return undefined;
    const length = message[offset]!;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2 <= message.length ? offset + 2 : undefined;
    if (length > 63) return undefined;
    offset += 1 + length;
  }
}

function labelText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    if (byte >= 0x41 && byte <= 0x5a) text += String.fromCharCode(byte + 0x20);
    else if (byte === 0x2e || byte === 0x5c) text += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\${String(byte).padStart(3, '0')}`;
  }
  return text;
}
