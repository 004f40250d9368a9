import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderGoldenCases, TESTDATA } from '../../test/haproxy/golden.js';

// UPDATE_GOLDEN=1 node scripts/run-tests.mjs unit render-config   rewrites the files; review the diff.
const update = process.env.UPDATE_GOLDEN === '1';

for (const { golden, text } of renderGoldenCases()) {
  test(`renders ${golden}`, () => {
    const path = TESTDATA + golden;
    if (update) writeFileSync(path, text);
    assert.equal(text, readFileSync(path, 'utf8'), `${golden} differs; rerun with UPDATE_GOLDEN=1 if the change is intended`);
  });
}

test('rendering is deterministic', () => {
  assert.deepEqual(renderGoldenCases(), renderGoldenCases());
});

test('the stats credentials are environment references, never values', () => {
  for (const { golden, text } of renderGoldenCases()) {
    assert.match(text, /^ {4}stats auth "\$\{BSO_STATS_USER\}:\$\{BSO_STATS_PASSWORD\}"$/m, golden);
    assert.doesNotMatch(text, /stats admin/, golden);
    assert.doesNotMatch(text, /stats socket [^\n]*(ipv4@|ipv6@|:[0-9])/, `${golden}: the runtime API must be a unix socket`);
  }
});
