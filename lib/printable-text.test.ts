// The one escaping rule for text from a spec (issue #13): every code point from U+0000 to U+FFFF
// is either kept as it is or written as \uXXXX, and exactly the forbidden classes are escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeUnprintable, printableJson, UNPRINTABLE } from './printable-text.js';
import { formatIssue, formatPath, printableIssue } from '../crd/spec-issue.js';
import { parseBalancedServices } from '../crd/parse-spec.js';

const FORBIDDEN: Array<[number, number]> = [[0x00, 0x1f], [0x7f, 0x7f], [0x80, 0x9f], [0x2028, 0x2029], [0x202a, 0x202e], [0x2066, 0x2069]];
const forbidden = (code: number) => FORBIDDEN.some(([from, to]) => code >= from && code <= to);
const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

test('every code point of the basic plane: the forbidden ones as \\uxxxx, every other one kept', () => {
  for (let code = 0; code <= 0xffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // surrogates are not characters on their own
    const c = String.fromCharCode(code);
    assert.equal(escapeUnprintable(`a${c}b`), forbidden(code) ? `a\\u${hex(code).toLowerCase()}b` : `a${c}b`, `U+${hex(code)}`);
  }
});

test('characters outside the basic plane are kept (emoji, CJK extension B)', () => {
  assert.equal(escapeUnprintable('ok 😀 𠀀'), 'ok 😀 𠀀');
});

test('escaping twice changes nothing more, and text without forbidden characters is returned as it is', () => {
  const once = escapeUnprintable('a\u007f\u0085\u202e\nb');
  assert.equal(once, 'a\\u007f\\u0085\\u202e\\u000ab');
  assert.equal(escapeUnprintable(once), once);
  assert.equal(escapeUnprintable('spec.agent.port'), 'spec.agent.port');
});

test('formatPath quotes and escapes odd keys; formatIssue and printableIssue escape file, path and message', () => {
  assert.equal(formatPath(['spec', 'agent', 'p\u007frt']), 'spec.agent["p\\u007frt"]');
  const issue = { file: 'a\u009b2J.yaml', line: 1, col: 2, path: 'spec.env["X\u2066"]', message: 'not the text "\u0085"' };
  assert.equal(formatIssue(issue), 'a\\u009b2J.yaml:1:2: spec.env["X\\u2066"]: not the text "\\u0085"');
  assert.deepEqual(printableIssue(issue), { file: 'a\\u009b2J.yaml', line: 1, col: 2, path: 'spec.env["X\\u2066"]', message: 'not the text "\\u0085"' });
});

test('the loader returns its issues printable already (what JSON output and status messages carry)', () => {
  const text = 'apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata:\n  name: a\nspec:\n  image: x\n  replicas: "\u202e2"\n  agent:\n    "p\u007frt": 1\n';
  const result = parseBalancedServices(text, 'evil\u0085.yaml');
  assert.ok(!result.ok);
  const json = JSON.stringify(result.issues);
  for (const c of json) assert.ok(!forbidden(c.codePointAt(0)!), `U+${hex(c.codePointAt(0)!)} in ${json}`);
  assert.deepEqual(result.issues.map((i) => [i.file, i.path]), [['evil\\u0085.yaml', 'spec.replicas'], ['evil\\u0085.yaml', 'spec.agent["p\\u007frt"]']]);
  assert.match(result.issues[0]!.message, /not the text "\\u202e2"/);
});

test('printableJson: DEL, C1, separators and bidi controls become \\u escapes that parse back to the same value', () => {
  const value = { key: 'p\u007frt', nel: '\u0085', csi: '\u009b[2J', ls: 'a\u2028b', rlo: '\u202eevil', esc: '\u001b' };
  const text = printableJson(value);
  assert.doesNotMatch(text.replaceAll('\n', ''), UNPRINTABLE);
  assert.match(text, /"p\\u007frt"/);
  assert.deepEqual(JSON.parse(text), value);
});
