import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIpv4Address, parseIpv4HostPort } from './ipv4-address.js';

test('IPv4 addresses: dotted quads of 0..255 without leading zeros', () => {
  for (const ok of ['0.0.0.0', '10.96.0.10', '255.255.255.255', '127.0.0.1']) assert.ok(isIpv4Address(ok), ok);
  for (const bad of ['', '256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', 'localhost', '::1', ' 10.0.0.1']) assert.ok(!isIpv4Address(bad), bad);
});

test('IPv4 host:port: ports 1..65535, nothing else', () => {
  assert.deepEqual(parseIpv4HostPort('10.96.0.10:5353'), { address: '10.96.0.10', port: 5353 });
  assert.deepEqual(parseIpv4HostPort('127.0.0.1:65535'), { address: '127.0.0.1', port: 65535 });
  for (const bad of ['10.96.0.10', '10.96.0.10:0', '10.96.0.10:65536', 'dns:53', '[::1]:53', '1.2.3.4:53 backup', 'dns 1.2.3.4', '999.1.1.1:53']) {
    assert.equal(parseIpv4HostPort(bad), undefined, bad);
  }
});
