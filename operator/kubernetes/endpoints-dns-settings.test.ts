import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsDnsSettings } from './endpoints-dns-settings.js';

test('no --endpoints-dns: no endpoints DNS (HAProxy asks the cluster\'s DNS)', () => {
  assert.deepEqual(endpointsDnsSettings({ backend: 'kubernetes' }), { settings: undefined });
  assert.deepEqual(endpointsDnsSettings({ backend: 'swarm', listen: '', address: '' }), { settings: undefined }, 'an empty environment variable is unset');
});

test('HAProxy asks the address it listens on, unless --endpoints-dns-address says otherwise', () => {
  assert.deepEqual(endpointsDnsSettings({ backend: 'kubernetes', listen: '10.0.0.5:5353' }), { settings: { listen: { host: '10.0.0.5', port: 5353 }, nameserver: '10.0.0.5:5353' } });
  assert.deepEqual(endpointsDnsSettings({ backend: 'kubernetes', listen: '0.0.0.0:5353', address: '10.96.0.53:53' }), { settings: { listen: { host: '0.0.0.0', port: 5353 }, nameserver: '10.96.0.53:53' } });
});

test('problems name the flag and its environment variable', () => {
  const problem = (flags: Parameters<typeof endpointsDnsSettings>[0]) => {
    const result = endpointsDnsSettings(flags);
    assert.ok('problem' in result, JSON.stringify(flags));
    return result.problem;
  };
  assert.match(problem({ backend: 'swarm', listen: '127.0.0.1:5353' }), /^--endpoints-dns \(BSO_ENDPOINTS_DNS\) is for --backend kubernetes on clusters without cluster DNS; on Swarm, HAProxy asks Docker's DNS$/);
  assert.match(problem({ backend: 'kubernetes', listen: '0.0.0.0:5353' }), /^--endpoints-dns \(BSO_ENDPOINTS_DNS\) 0\.0\.0\.0:5353 listens on every address: --endpoints-dns-address \(BSO_ENDPOINTS_DNS_ADDRESS\) must say which IP:PORT HAProxy pods send their queries to/);
  for (const listen of ['5353', 'localhost:5353', '10.0.0.5:0', '[::]:5353']) assert.match(problem({ backend: 'kubernetes', listen }), new RegExp(`^--endpoints-dns \\(BSO_ENDPOINTS_DNS\\) \\S+: must be the IPv4 host:port it listens on \\(UDP\\)`), listen);
  for (const address of ['0.0.0.0:5353', 'bso-operator.bso-system.svc:5353', '10.96.0.53']) {
    assert.match(problem({ backend: 'kubernetes', listen: '0.0.0.0:5353', address }), /^--endpoints-dns-address \(BSO_ENDPOINTS_DNS_ADDRESS\) \S+: must be the IPv4 host:port HAProxy pods send their queries to/, address);
  }
  assert.match(problem({ backend: 'kubernetes', address: '10.96.0.53:53' }), /^--endpoints-dns-address \(BSO_ENDPOINTS_DNS_ADDRESS\) 10\.96\.0\.53:53: goes with --endpoints-dns \(BSO_ENDPOINTS_DNS\)$/);
});
