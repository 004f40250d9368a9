import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addedBinds, bindsOf } from './bind-check.js';

test('finds the bind addresses a new config adds', () => {
  const current = 'frontend a\n    bind :80\nfrontend stats\n    bind 127.0.0.1:8404\n';
  assert.deepEqual(bindsOf(current), [{ host: '0.0.0.0', port: 80 }, { host: '127.0.0.1', port: 8404 }]);
  assert.deepEqual(addedBinds(current, current), []);
  assert.deepEqual(addedBinds(current, current.replace('8404', '8405')), [{ host: '127.0.0.1', port: 8405 }]);
  assert.deepEqual(addedBinds(undefined, 'listen x\n    bind ipv4@*:81,:82 name y\n    bind unix@/run/s\n'), [{ host: '0.0.0.0', port: 81 }, { host: '0.0.0.0', port: 82 }]);
});
