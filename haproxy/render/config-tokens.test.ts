import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeConfig, tokenizeLine } from './config-tokens.js';

test('splits words, drops comments, keeps quoted strings whole', () => {
  assert.deepEqual(tokenizeLine('    stats auth "${U}:${P}" # the credentials'), ['stats', 'auth', '"${U}:${P}"']);
  assert.deepEqual(tokenizeLine('http-request deny if { path_beg /a\\ b }'), ['http-request', 'deny', 'if', '{', 'path_beg', '/a\\ b', '}']);
  assert.deepEqual(tokenizeLine(`x "a # b" 'c d'`), ['x', '"a # b"', `'c d'`]);
  assert.deepEqual(tokenizeLine('   # only a comment'), []);
});

test('records the section of each line', () => {
  const lines = tokenizeConfig('# head\nglobal\n    master-worker\n\nbackend b\n    balance leastconn\n');
  assert.deepEqual(lines.map((l) => [l.line, l.section, l.tokens.join(' ')]), [
    [2, 'global', 'global'],
    [3, 'global', 'master-worker'],
    [5, 'backend b', 'backend b'],
    [6, 'backend b', 'balance leastconn'],
  ]);
});
