// The nesting pre-scan: counts what YAML nests, and nothing inside strings, comments or block scalars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { findExcessiveNesting } from './nesting-depth.js';

/** The true depth of a small document, from the parsed YAML (the reference for the scan). */
function parsedDepth(text: string): number {
  const depth = (value: unknown): number =>
    typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depth)) : 0;
  const docs = parseAllDocuments(text);
  return Math.max(0, ...(Array.isArray(docs) ? docs : []).map((d) => depth(d.toJS())));
}

const DEEP_CASES: Record<string, (n: number) => string> = {
  'flow lists': (n) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`,
  'flow mappings': (n) => `a: ${'{b: '.repeat(n)}1${'}'.repeat(n)}\n`,
  'JSON': (n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
  'indented mappings': (n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
  'compact lists': (n) => `a:\n${'- '.repeat(n)}x\n`,
  'lists of mappings': (n) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}- a:`).join('\n') + ' 1\n',
  'multi-line flow': (n) => `a: [\n${'  [\n'.repeat(n)}${'  ]\n'.repeat(n)}]\n`,
};

for (const [name, make] of Object.entries(DEEP_CASES)) {
  test(`${name}: refused past the limit, never past the true depth`, () => {
    assert.ok(findExcessiveNesting(make(200), 64), 'a 200-level document passed');
    for (const n of [3, 10, 40]) {
      const text = make(n);
      const found = findExcessiveNesting(text, 64);
      assert.equal(found, undefined, `${n} levels were refused`);
      // The scan never counts more levels than there are: with the limit just below the true depth it may only
      // refuse, and with the limit at the true depth it must accept.
      assert.equal(findExcessiveNesting(text, parsedDepth(text)), undefined, `${n} levels: counted more than ${parsedDepth(text)}`);
    }
  });
}

test('brackets in quoted strings, comments, plain text and block scalars are not nesting', () => {
  const text = [
    `a: "${'['.repeat(100)}"`,
    `b: '${'{'.repeat(100)} it''s'`,
    `c: x${'['.repeat(100)}`,
    `# ${'['.repeat(100)}`,
    `d: 1 # ${'{'.repeat(100)}`,
    'e: |',
    ...Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 2)}- [x: y`),
    'f: >-',
    `  ${'['.repeat(100)}`,
    'g: "multi',
    `  line ${'['.repeat(100)}"`,
    'h: [x, "]", \'[\']',
  ].join('\n');
  assert.equal(findExcessiveNesting(text, 3), undefined);
});

test('the position is where the limit is passed', () => {
  assert.deepEqual(findExcessiveNesting('a:\n  b: [[[x]]]\n', 3), { line: 2, col: 7 });
  assert.deepEqual(findExcessiveNesting('a:\n  b:\n    c:\n      d: 1\n', 3), { line: 4, col: 7 });
  assert.deepEqual(findExcessiveNesting('- - - - x\n', 3), { line: 1, col: 7 });
});
