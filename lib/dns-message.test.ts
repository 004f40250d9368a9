import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDnsQuery, CLASSIC_UDP_SIZE, parseDnsQuery, RCODE, respondToDnsQuery, type DnsZone } from './dns-message.js';

// Queries captured on the wire (a UDP socket on loopback):
// HAProxy 2.6.12 resolving a server-template's name (`accepted_payload_size 8192`: EDNS, 8192 bytes).
const HAPROXY_A = '41a5010000010000000000010968656c6c6f2d6170690862736f2d746573740373766307636c7573746572056c6f63616c00000100010000292000000000000000';
// Node 20's resolver (c-ares 1.34.6): resolve4 and resolve6, no EDNS.
const NODE_A = '9a8f010000010000000000000968656c6c6f2d6170690862736f2d746573740373766307636c7573746572056c6f63616c0000010001';
const NODE_AAAA = 'c3ea010000010000000000000968656c6c6f2d6170690862736f2d746573740373766307636c7573746572056c6f63616c00001c0001';
const NAME = 'hello-api.bso-test.svc.cluster.local';
const QUESTION = '0968656c6c6f2d6170690862736f2d746573740373766307636c7573746572056c6f63616c00';

const bytes = (hex: string) => Buffer.from(hex, 'hex');
const hex = (message: Uint8Array | undefined) => (message === undefined ? undefined : Buffer.from(message).toString('hex'));
const zone = (records: Record<string, string[]>, origin = 'bso-test.svc.cluster.local'): DnsZone => ({
  origin, ttlSeconds: 1, addressesOf: (name) => records[name],
});
const known = zone({ [NAME]: ['10.0.0.7', '10.0.0.12'] });
const header = (message: Uint8Array) => {
  const b = Buffer.from(message);
  return { id: b.readUInt16BE(0), flags: b.readUInt16BE(2), rcode: b.readUInt16BE(2) & 0x0f, answers: b.readUInt16BE(6), additional: b.readUInt16BE(10) };
};

test('HAProxy\'s query: one question for an A record, EDNS with 8192 bytes', () => {
  const query = parseDnsQuery(bytes(HAPROXY_A))!;
  assert.deepEqual({ ...query, question: hex(query.question) }, {
    id: 0x41a5, opcode: 0, recursionDesired: true, name: NAME, type: 1, qclass: 1,
    question: `${QUESTION}00010001`, edns: true, udpSize: 8192,
  });
});

test('the answer to HAProxy: authoritative, every A record with TTL 1 s pointing at the question, an OPT record back', () => {
  assert.equal(hex(respondToDnsQuery(bytes(HAPROXY_A), known)), [
    '41a5', '8500', '0001', '0002', '0000', '0001', // id; QR AA RD, NOERROR; 1 question, 2 answers, 1 additional
    `${QUESTION}00010001`,
    'c00c0001000100000001', '0004', '0a000007', // 10.0.0.7
    'c00c0001000100000001', '0004', '0a00000c', // 10.0.0.12
    '00', '0029', '1000', '00000000', '0000', // OPT: root, our UDP size 4096
  ].join(''));
});

test('names match in any letter case; the answer repeats the question as asked', () => {
  const shouted = bytes(HAPROXY_A);
  shouted.write('HELLO-API', 13, 'latin1');
  shouted.write('BSO-TEST', 23, 'latin1');
  const query = parseDnsQuery(shouted)!;
  assert.equal(query.name, NAME);
  const answer = Buffer.from(answerDnsQuery(query, known));
  assert.equal(header(answer).answers, 2);
  assert.equal(answer.subarray(12, 12 + query.question.length).toString('latin1').slice(1, 10), 'HELLO-API');
});

test('another type of a name that exists: NOERROR with no records (Node\'s AAAA query)', () => {
  assert.equal(hex(respondToDnsQuery(bytes(NODE_AAAA), known)), ['c3ea', '8500', '0001', '0000', '0000', '0000', `${QUESTION}001c0001`].join(''));
});

test('a name of the zone without addresses, or unknown: NXDOMAIN, authoritative', () => {
  for (const records of [{}, { [NAME]: [] }, { [NAME]: ['not-an-address', '300.1.1.1'] }] as Array<Record<string, string[]>>) {
    const answer = respondToDnsQuery(bytes(NODE_A), zone(records))!;
    assert.deepEqual(header(answer), { id: 0x9a8f, flags: 0x8503, rcode: RCODE.nxDomain, answers: 0, additional: 0 }, JSON.stringify(records));
  }
});

test('outside the zone, or not class IN: REFUSED, not authoritative; an opcode other than QUERY: NOTIMP', () => {
  const elsewhere = respondToDnsQuery(bytes(NODE_A), zone({ [NAME]: ['10.0.0.7'] }, 'other.svc.cluster.local'))!;
  assert.deepEqual(header(elsewhere), { id: 0x9a8f, flags: 0x8105, rcode: RCODE.refused, answers: 0, additional: 0 });
  const chaos = bytes(NODE_A);
  chaos.writeUInt16BE(3, chaos.length - 2);
  assert.equal(header(respondToDnsQuery(chaos, known)!).rcode, RCODE.refused);
  const status = bytes(NODE_A);
  status.writeUInt16BE(0x1100, 2); // opcode 2 (STATUS), RD
  assert.equal(header(respondToDnsQuery(status, known)!).rcode, RCODE.notImplemented);
  assert.ok(respondToDnsQuery(bytes(NODE_A), zone({ [NAME]: ['10.0.0.7'] }, '')), 'origin \'\' answers every name');
});

test('answers that do not fit the asker\'s UDP size are cut and flagged TC; EDNS lets 500 through', () => {
  const many = zone({ [NAME]: Array.from({ length: 500 }, (_, i) => `10.1.${i >> 8}.${i & 0xff}`) });
  const classic = respondToDnsQuery(bytes(NODE_A), many)!;
  assert.ok(classic.length <= CLASSIC_UDP_SIZE);
  assert.equal(header(classic).answers, 28);
  assert.equal(header(classic).flags & 0x0200, 0x0200, 'TC');
  const edns = respondToDnsQuery(bytes(HAPROXY_A), many)!;
  assert.equal(header(edns).answers, 500);
  assert.equal(header(edns).flags & 0x0200, 0);
});

test('anything that is not a well-formed query is ignored, never thrown at', () => {
  const malformed: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['an answer (QR set)', Buffer.from(respondToDnsQuery(bytes(NODE_A), known)!)],
    ['two questions', (() => { const b = bytes(NODE_A); b.writeUInt16BE(2, 4); return b; })()],
    ['no question', (() => { const b = bytes(NODE_A); b.writeUInt16BE(0, 4); return b; })()],
    ['a record in the answer section', (() => { const b = bytes(NODE_A); b.writeUInt16BE(1, 6); return b; })()],
    ['a label longer than 63', (() => { const b = bytes(NODE_A); b[12] = 64; return b; })()],
    ['a pointer in the question', Buffer.concat([bytes(NODE_A).subarray(0, 12), bytes('c00c00010001')])],
    ['an additional record that is not there', (() => { const b = bytes(NODE_A); b.writeUInt16BE(1, 10); return b; })()],
    ['two OPT records', (() => { const b = Buffer.concat([bytes(HAPROXY_A), bytes('0000292000000000000000')]); b.writeUInt16BE(2, 10); return b; })()],
  ];
  for (let cut = 0; cut < bytes(HAPROXY_A).length; cut++) malformed.push([`HAProxy's query cut at ${cut}`, bytes(HAPROXY_A).subarray(0, cut)]);
  for (const [what, message] of malformed) assert.equal(respondToDnsQuery(message, known), undefined, what);
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const junk = bytes(HAPROXY_A).map((b) => (random() < 0.05 ? Math.floor(random() * 256) : b));
    assert.doesNotThrow(() => respondToDnsQuery(junk, known));
  }
});

test('a dot or an unprintable byte inside a label cannot pass for a name of the zone', () => {
  const asked = (label: string) => {
    // One label "hello-api.bso-test..." instead of two, then svc.cluster.local.
    const bytesOf = Buffer.from(label, 'latin1');
    return parseDnsQuery(Buffer.concat([bytes(NODE_A).subarray(0, 12), Buffer.from([bytesOf.length]), bytesOf, bytes('0373766307636c7573746572056c6f63616c0000010001')]))!;
  };
  assert.equal(asked('hello-api.bso-test').name, 'hello-api\\.bso-test.svc.cluster.local');
  assert.equal(asked('hello-api.bso-test\u0000').name, 'hello-api\\.bso-test\\000.svc.cluster.local');
  assert.equal(header(answerDnsQuery(asked('hello-api.bso-test'), zone({ [NAME]: ['10.0.0.7'] }, ''))).rcode, RCODE.nxDomain);
});
