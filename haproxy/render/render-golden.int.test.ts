// haproxy -c on every golden file: the files the unit test pins are configs HAProxy accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { checkHAProxyConfig } from '../supervisor/haproxy-check.js';
import { TESTDATA } from '../../test/haproxy/golden.js';

const HAPROXY = process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy';
const env = { ...process.env, BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'secret' };
const goldens = readdirSync(TESTDATA).filter((f) => f.endsWith('.cfg')).sort();

test('there are golden files', () => assert.ok(goldens.length >= 4, goldens.join(', ')));

for (const golden of goldens) {
  test(`haproxy -c accepts ${golden}`, async () => {
    const result = await checkHAProxyConfig(TESTDATA + golden, { haproxy: HAPROXY, env });
    assert.ok(result.ok, result.messages.join('\n'));
    // The only warning allowed: the server-state file does not exist before the supervisor writes it.
    const unexpected = result.messages.filter((m) => !/server state file/.test(m));
    assert.deepEqual(unexpected, []);
  });
}
