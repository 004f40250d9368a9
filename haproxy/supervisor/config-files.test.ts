import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globalSetting, stampConfig, stampedHash } from './config-files.js';

test('the stamp becomes the worker\'s description', () => {
  const stamped = stampConfig('global\n    master-worker\n', 'abc123');
  assert.match(stamped, /^global\n {4}description "bso-config abc123"$/m);
  assert.equal(stampedHash('Name: HAProxy\nDescription: bso-config abc123\nStopping: 0\n'), 'abc123');
  assert.equal(stampedHash('Name: HAProxy\n'), undefined);
  assert.throws(() => stampConfig('x', 'a"b'));
});

test('finds global settings', () => {
  const text = 'global\n    stats socket /run/x.sock mode 600\n    server-state-file /run/state\n';
  assert.equal(globalSetting(text, 'server-state-file'), '/run/state');
  assert.equal(globalSetting(text, 'stats socket'), '/run/x.sock');
  assert.equal(globalSetting(text, 'nope'), undefined);
});
