// Every file in crd/testdata/invalid/ is a spec that must be refused. Each names its expected
// issues in its own header, one `# expect: LINE:COL: PATH: message` line per issue, in the order
// bso prints them; the test asserts exactly that list. `# pad-to-bytes: N` pads the file with a
// comment line to N bytes (so the repository holds no megabyte file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import { parseBalancedServices } from './parse-spec.js';
import { formatIssue, type SpecIssue } from './spec-issue.js';
import { schemaValidator, balancedServiceSchema } from './schema.js';
import { DURATION_LIMITS } from './semantic-rules.js';

const DIR = new URL('./testdata/invalid/', import.meta.url);
const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml')).sort();

function readCorpusFile(name: string): { text: string; expected: string[] } {
  let text = readFileSync(new URL(name, DIR), 'utf8');
  const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => `${name}:${m[1]}`);
  const pad = /^# pad-to-bytes: (\d+)$/m.exec(text);
  if (pad) text += '#' + 'x'.repeat(Math.max(0, Number(pad[1]) - Buffer.byteLength(text) - 2)) + '\n';
  return { text, expected };
}

const results = new Map<string, SpecIssue[]>();

test('the invalid corpus has at least 45 files', () => {
  assert.ok(files.length >= 45, `only ${files.length} files`);
});

for (const name of files) {
  test(`invalid/${name} fails with exactly its expected issues`, () => {
    const { text, expected } = readCorpusFile(name);
    assert.ok(expected.length > 0, 'the file names no expected issue');
    const result = parseBalancedServices(text, name);
    assert.equal(result.ok, false, 'the spec was accepted');
    if (result.ok) return;
    results.set(name, result.issues);
    assert.deepEqual(result.issues.map(formatIssue), expected);
  });
}

test('the corpus exercises every validation keyword of the schema', () => {
  const used = new Set<string>();
  collectKeywords(balancedServiceSchema, used);
  const triggered = new Set<string>();
  for (const name of files) {
    const { text } = readCorpusFile(name);
    if (Buffer.byteLength(text) > 1024 * 1024) continue;
    const docs = parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: false });
    for (const doc of Array.isArray(docs) ? docs : []) {
      if (doc.errors.length > 0 || hasCollectionKey(doc)) continue;
      let data: unknown;
      try { data = doc.toJS({ maxAliasCount: 100 }); } catch { continue; }
      const validate = schemaValidator();
      if (!validate(structuredClone(data))) for (const error of validate.errors ?? []) triggered.add(error.keyword);
    }
  }
  const missing = [...used].filter((keyword) => !triggered.has(keyword));
  assert.deepEqual(missing, [], `no corpus file breaks: ${missing.join(', ')}`);
});

test('the corpus exercises every semantic rule, and every duration limit', () => {
  const messages = [...results.values()].flat().map(formatIssue);
  assert.ok(messages.length > 0, 'run after the file tests');
  const rules: Array<[string, RegExp]> = [
    ['ready below maint', /thresholds\.ready: must be lower than spec\.agent\.thresholds\.maint/],
    ['replica ports distinct', /spec\.agent\.port: must differ from spec\.port/],
    ['HAProxy ports distinct', /spec\.haproxy\.statsPort: must differ from spec\.haproxy\.port/],
    ['cpus decimals', /spec\.resources\.cpus: must have at most 3 decimals/],
    ['memory minimum', /spec\.resources\.memory: must be at least 6Mi/],
    ['env name', /spec\.env\[?"?[^:]*: must be a variable name/],
    ['env reserved', /spec\.env\.PORT: is set by bso itself/],
    ['env name length', /spec\.env\.V+: must be at most 255 characters long/],
    ['label key', /metadata\.labels\[[^\]]*\]: must be a qualified name/],
    ['label key reserved', /metadata\.labels\["bso\.dev\/owner"\]: is reserved/],
    ['label key managed-by', /metadata\.labels\["app\.kubernetes\.io\/managed-by"\]: is reserved/],
    ['label key prefix length', /metadata\.labels\["p+\/name"\]: must have a prefix of at most 253/],
    ['annotation key', /metadata\.annotations\[[^\]]*\]: must be a qualified name/],
    ['annotation key reserved', /metadata\.annotations\["bso\.dev\/spec-hash"\]: is reserved/],
    ['status', /: status: is written by the operator/],
    ['duplicate names', /metadata\.name: "hello" is defined twice in this file/],
  ];
  for (const [rule, pattern] of rules) assert.ok(messages.some((m) => pattern.test(m)), `no corpus issue for: ${rule}`);
  for (const [path, min] of DURATION_LIMITS) {
    const field = path.join('.');
    assert.ok(messages.some((m) => m.includes(`: ${field}: must be at most `)), `no corpus issue for the maximum of ${field}`);
    if (min > 0) assert.ok(messages.some((m) => m.includes(`: ${field}: must be at least `)), `no corpus issue for the minimum of ${field}`);
  }
});

const KEYWORDS = new Set(['type', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'maxProperties', 'pattern', 'required', 'additionalProperties']);

function collectKeywords(node: unknown, out: Set<string>, inStatus = false): void {
  if (Array.isArray(node)) { for (const item of node) collectKeywords(item, out, inStatus); return; }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      for (const [name, sub] of Object.entries(value as object)) collectKeywords(sub, out, inStatus || name === 'status');
      continue;
    }
    if (KEYWORDS.has(key) && !inStatus) out.add(key);
    collectKeywords(value, out, inStatus);
  }
}

function hasCollectionKey(doc: Document): boolean {
  let found = false;
  visit(doc, { Pair(_key, pair) { if (pair.key !== null && !isScalar(pair.key)) { found = true; return visit.BREAK; } return undefined; } });
  return found;
}
