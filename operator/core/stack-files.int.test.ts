// haproxy -c on the committed operator-less stack's config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHAProxyConfig } from '../../haproxy/supervisor/haproxy-check.js';

test('haproxy -c accepts deploy/swarm/haproxy.cfg', async () => {
  const file = new URL('../../deploy/swarm/haproxy.cfg', import.meta.url).pathname;
  const result = await checkHAProxyConfig(file, { haproxy: process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy', env: { ...process.env, BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'secret' } });
  assert.ok(result.ok, result.messages.join('\n'));
});
