import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings, SettingsError } from './settings.js';
import { parseStatsAuth } from './stats-credentials.js';

test('defaults: Docker secrets for the token and the stats credentials, the run folder, 30 s long-polls', () => {
  const s = readSettings({ BSO_HAPROXY_NAME: 'hello', BSO_OPERATOR_URL: 'http://bso-operator:9464' });
  assert.equal(s.statsAuthFile, '/run/secrets/hello-stats-auth');
  assert.equal(s.tokenFile, '/run/secrets/bso-operator-token');
  assert.equal(s.runDir, '/var/run/bso-haproxy');
  assert.equal(s.haproxy, '/usr/sbin/haproxy');
  assert.deepEqual(s.listen, { host: '0.0.0.0', port: 9465 });
  assert.equal(s.pollWaitMs, 30_000);
  assert.equal(s.minReloadIntervalMs, 2000);
  assert.equal(s.maxOldWorkers, 4);
});

test('every problem at once', () => {
  assert.throws(() => readSettings({ BSO_HAPROXY_NAME: 'Hello!', BSO_OPERATOR_URL: 'ftp://x', BSO_POLL_WAIT: 'soon', BSO_MAX_OLD_WORKERS: '0', BSO_SUPERVISOR_LISTEN: 'x' }), (error: unknown) => {
    assert.ok(error instanceof SettingsError);
    for (const name of ['BSO_HAPROXY_NAME', 'BSO_OPERATOR_URL', 'BSO_POLL_WAIT', 'BSO_MAX_OLD_WORKERS', 'BSO_SUPERVISOR_LISTEN']) assert.match(error.message, new RegExp(name));
    return true;
  });
});

test('stats credentials: user:password, the password may hold colons', () => {
  assert.deepEqual(parseStatsAuth('admin:pa:ss-word-1\n'), { user: 'admin', password: 'pa:ss-word-1' });
  assert.equal(typeof parseStatsAuth('admin'), 'string');
  assert.equal(typeof parseStatsAuth(':password123'), 'string');
  assert.equal(typeof parseStatsAuth('admin:short'), 'string');
  assert.equal(typeof parseStatsAuth('a b:password123'), 'string');
  assert.equal(typeof parseStatsAuth('admin:password123\nmore:lines'), 'string');
});
