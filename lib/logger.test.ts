import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, logSettingsFrom, textLine } from './logger.js';
import { UNPRINTABLE } from './printable-text.js';

function capture(format: 'json' | 'text', level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  return { lines, log: createLogger({ component: 'operator', format, level, write: (l) => lines.push(l) }) };
}

test('json: one object a line with time, level, component, msg and the context\'s fields; below the level nothing', () => {
  const { lines, log } = capture('json');
  log.child({ balancedservice: 'hello', reconcile: 7 }).warn('retrying after error', { attempt: 2 });
  log.debug('not shown');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(record.level, 'warn');
  assert.equal(record.component, 'operator');
  assert.equal(record.msg, 'retrying after error');
  assert.deepEqual([record.balancedservice, record.reconcile, record.attempt], ['hello', 7, 2]);
  assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('text: time LEVEL component: message key=value, on one line', () => {
  const { lines, log } = capture('text', 'debug');
  log.child({ balancedservice: 'hello' }).info('created service hello-api', { reconcile: 3, reason: 'spec changed' });
  log.debug('detail');
  assert.match(lines[0]!, /^\S+Z INFO {2}operator: created service hello-api balancedservice=hello reconcile=3 reason="spec changed"\n$/);
  assert.match(lines[1]!, /^\S+Z DEBUG operator: detail\n$/);
});

test('control characters in messages and fields are escaped in both formats', () => {
  for (const format of ['json', 'text'] as const) {
    const { lines, log } = capture(format);
    log.info('name \u001b[2J\u009b\u202eevil', { key: 'p\u007frt' });
    assert.doesNotMatch(lines[0]!.replace(/\n$/, ''), UNPRINTABLE, format);
    if (format === 'json') assert.equal((JSON.parse(lines[0]!) as { msg: string }).msg, 'name \u001b[2J\u009b\u202eevil');
  }
  assert.match(textLine('{"time":"t","level":"info","component":"c","msg":"a\\u0007b"}'), /a\\u0007b/);
});

test('settings from the environment: text on a terminal, json elsewhere; a bad value names its variable', () => {
  assert.deepEqual(logSettingsFrom({}, true), { level: 'info', format: 'text' });
  assert.deepEqual(logSettingsFrom({}, false), { level: 'info', format: 'json' });
  assert.deepEqual(logSettingsFrom({ BSO_LOG_LEVEL: 'debug', BSO_LOG_FORMAT: 'text' }, false), { level: 'debug', format: 'text' });
  assert.deepEqual(logSettingsFrom({ BSO_LOG_LEVEL: 'loud' }, false), { problem: 'BSO_LOG_LEVEL=loud: must be one of debug, info, warn, error' });
  assert.deepEqual(logSettingsFrom({ BSO_LOG_FORMAT: 'xml' }, false), { problem: 'BSO_LOG_FORMAT=xml: must be one of text, json' });
});
