// Hostile and tricky input to the loader: deep nesting, huge documents, alias bombs, YAML 1.1
// habits. Each gives a clear issue or a valid spec with the value as written: never a crash,
// a hang, or a silent conversion. (The timeouts only stop a hung test; nothing asserts speed.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBalancedServices, MAX_SPEC_BYTES } from './parse-spec.js';
import { formatIssue, type SpecIssue } from './spec-issue.js';
import type { BalancedService } from './types.generated.js';

const HEAD = 'apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata:\n  name: hello\n';
const GUARD = { timeout: 60_000 };

function issuesOf(text: string): SpecIssue[] {
  const result = parseBalancedServices(text, 'h.yaml');
  assert.equal(result.ok, false, 'the document was accepted');
  return result.ok ? [] : result.issues;
}

function only(text: string): string {
  const issues = issuesOf(text);
  assert.equal(issues.length, 1, issues.map(formatIssue).join('\n'));
  return formatIssue(issues[0]!);
}

const NESTED = /^h\.yaml:\d+:\d+: the YAML nests more than 64 levels deep/;

test('5,000 levels of flow lists, flow mappings and JSON are refused as too deep', GUARD, () => {
  const n = 5000;
  assert.match(only(`${HEAD}spec:\n  image: x\n  env: ${'['.repeat(n)}${']'.repeat(n)}\n`), NESTED);
  assert.match(only(`${HEAD}spec:\n  image: x\n  env: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`), NESTED);
  assert.match(only(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`), NESTED);
  assert.match(only(`${'['.repeat(MAX_SPEC_BYTES / 2)}${']'.repeat(MAX_SPEC_BYTES / 2)}`), NESTED);
});

test('5,000 levels of block lists and mappings are refused as too deep (or too large)', GUARD, () => {
  assert.match(only(`${HEAD}spec:\n  image: x\n  env:\n    A:\n${'      ' + '- '.repeat(5000)}x\n`), NESTED);
  const indented = (levels: number) => Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
  assert.match(only(indented(1400)), NESTED); // 1,400 levels fit in 1 MiB
  assert.match(only(indented(5000)), /^h\.yaml:1:1: is \d+ bytes; a spec file may have at most 1048576 bytes/);
  const seqOfMaps = Array.from({ length: 5000 }, (_, i) => `${'  '.repeat(i)}- a:`).join('\n');
  assert.match(only(seqOfMaps.slice(0, MAX_SPEC_BYTES - 10)), NESTED);
});

test('64 levels are fine as far as nesting goes (the schema then speaks)', () => {
  const issues = issuesOf(`${HEAD}spec:\n  image: x\n  env: ${'['.repeat(61)}${']'.repeat(61)}\n`);
  assert.deepEqual(issues.map(formatIssue), ['h.yaml:7:8: spec.env: must be a mapping (key: value), not a list']);
});

test('a 10 MB document is refused before it is parsed', GUARD, () => {
  const huge = `${HEAD}spec:\n  image: x\n  env:\n    A: "${'x'.repeat(10 * 1024 * 1024)}"\n`;
  assert.equal(only(huge), `h.yaml:1:1: is ${Buffer.byteLength(huge)} bytes; a spec file may have at most 1048576 bytes (1 MiB)`);
});

test('a document just under the size limit is read (a long string is then too long for its field)', GUARD, () => {
  const text = `${HEAD}spec:\n  image: x\n  env:\n    A: "${'x'.repeat(MAX_SPEC_BYTES - 200)}"\n`;
  assert.equal(only(text), 'h.yaml:8:8: spec.env.A: must be at most 1024 characters long');
});

test('billion laughs: nine levels of nine aliases are refused, not expanded', GUARD, () => {
  const lines = ['    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++) lines.push(`    l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  const text = `${HEAD}  annotations:\n${lines.join('\n')}\nspec:\n  image: x\n`;
  assert.equal(only(text), 'h.yaml:7:14: metadata.annotations.l1: too many aliases: expanding them would build a huge document (at most 100 alias expansions)');
});

test('a few aliases are fine; more than 100 expansions are not', () => {
  const ok = parseBalancedServices(`${HEAD}  labels:\n    a: &v web\n    b: *v\nspec:\n  image: x\n  port: &p 8080\n  haproxy:\n    port: 8081\n    statsPort: 9000\n`, 'a.yaml');
  assert.ok(ok.ok);
  assert.deepEqual(ok.specs[0]!.object.metadata.labels, { a: 'web', b: 'web' });
  const many = `${HEAD}  labels:\n    a: &v [x, y]\n${Array.from({ length: 150 }, (_, i) => `    k${i}: *v`).join('\n')}\nspec:\n  image: x\n`;
  assert.match(only(many), /too many aliases/);
});

/** [where, written value, expected]: a string is the one issue expected; an object holds the loaded value. */
type Trap = [field: string, written: string, expected: string | { value: unknown }];
const TRAPS: Trap[] = [
  ['replicas', 'no', 'spec.replicas: must be a whole number, not the text "no"'],
  ['replicas', 'yes', 'spec.replicas: must be a whole number, not the text "yes"'],
  ['replicas', 'on', 'spec.replicas: must be a whole number, not the text "on"'],
  ['replicas', 'y', 'spec.replicas: must be a whole number, not the text "y"'],
  ['replicas', 'True', 'spec.replicas: must be a whole number, not True'],
  ['replicas', '0777', 'spec.replicas: the number 0777 has a leading zero; write 777 (YAML 1.1 would read it as octal)'],
  ['replicas', '010', 'spec.replicas: the number 010 has a leading zero; write 10 (YAML 1.1 would read it as octal)'],
  ['replicas', '0o10', 'spec.replicas: the number 0o10 is octal; write 8 in decimal'],
  ['replicas', '0x1F', 'spec.replicas: the number 0x1F is hexadecimal; write 31 in decimal'],
  ['replicas', '0b101', 'spec.replicas: must be a whole number, not the text "0b101"'],
  ['replicas', '1e3', 'spec.replicas: the number 1e3 uses exponent notation; write 1000'],
  ['replicas', '3.0', 'spec.replicas: must be a whole number; write 3 without a decimal point'],
  ['replicas', '22:22', 'spec.replicas: must be a whole number, not the text "22:22"'],
  ['replicas', '1_000', 'spec.replicas: must be a whole number, not the text "1_000"'],
  ['replicas', '.inf', 'spec.replicas: must be a whole number, not .inf'],
  ['replicas', '.nan', 'spec.replicas: must be a whole number, not .nan'],
  ['replicas', '"3"', 'spec.replicas: must be a whole number, not the text "3"'],
  ['replicas', '~', 'spec.replicas: must be a whole number, but the value is empty'],
  ['replicas', '+3', { value: 3 }],
  ['cpus', '.inf', 'spec.resources.cpus: must be a number, not .inf'],
  ['cpus', '-.Inf', 'spec.resources.cpus: must be a number, not -.Inf'],
  ['cpus', '1e-1', 'spec.resources.cpus: the number 1e-1 uses exponent notation; write 0.1'],
  ['cpus', '0x1', 'spec.resources.cpus: the number 0x1 is hexadecimal; write 1 in decimal'],
  ['cpus', '00.5', 'spec.resources.cpus: the number 00.5 has a leading zero; write 0.5'],
  ['cpus', '0.25', { value: 0.25 }],
  ['memory', '0777', 'spec.resources.memory: must be a size such as 256Mi, 1Gi or 512M, not 0777'],
  ['memory', '1e3', 'spec.resources.memory: must be a size such as 256Mi, 1Gi or 512M, not 1e3'],
  ['memory', '268435456', 'spec.resources.memory: must be a string; write it in quotes: "268435456"'],
  ['metric', 'no', 'spec.agent.metric: must be one of: cpu, memory, max'],
  ['metric', 'on', 'spec.agent.metric: must be one of: cpu, memory, max'],
  ['env', 'no', { value: 'no' }],
  ['env', 'on', { value: 'on' }],
  ['env', 'yes', { value: 'yes' }],
  ['env', 'off', { value: 'off' }],
  ['env', 'y', { value: 'y' }],
  ['env', '22:22', { value: '22:22' }],
  ['env', '2001-12-14', { value: '2001-12-14' }],
  ['env', '1_000', { value: '1_000' }],
  ['env', '"0777"', { value: '0777' }],
  ['env', '!!str 0777', { value: '0777' }],
  ['env', '0777', 'spec.env.A: must be a string; write it in quotes: "0777"'],
  ['env', '0x1F', 'spec.env.A: must be a string; write it in quotes: "0x1F"'],
  ['env', '1e3', 'spec.env.A: must be a string; write it in quotes: "1e3"'],
  ['env', '.inf', 'spec.env.A: must be a string; write it in quotes: ".inf"'],
  ['env', 'true', 'spec.env.A: must be a string; write it in quotes: "true"'],
  ['env', 'NULL', 'spec.env.A: must be a string, but the value is empty'],
  ['name', 'no', { value: 'no' }],
  ['name', 'on', { value: 'on' }],
];

function trapDocument(field: string, written: string): string {
  switch (field) {
    case 'name': return `apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata:\n  name: ${written}\nspec:\n  image: x\n`;
    case 'replicas': return `${HEAD}spec:\n  image: x\n  replicas: ${written}\n`;
    case 'cpus': return `${HEAD}spec:\n  image: x\n  resources:\n    cpus: ${written}\n`;
    case 'memory': return `${HEAD}spec:\n  image: x\n  resources:\n    memory: ${written}\n`;
    case 'metric': return `${HEAD}spec:\n  image: x\n  agent:\n    metric: ${written}\n`;
    case 'env': return `${HEAD}spec:\n  image: x\n  env:\n    A: ${written}\n`;
    default: throw new Error(field);
  }
}

function loadedValue(field: string, spec: BalancedService): unknown {
  const values: Record<string, unknown> = {
    name: spec.metadata.name, replicas: spec.spec.replicas, cpus: spec.spec.resources.cpus,
    memory: spec.spec.resources.memory, metric: spec.spec.agent.metric, env: spec.spec.env?.A,
  };
  return values[field];
}

for (const [field, written, expected] of TRAPS) {
  test(`${field}: ${written} -> ${typeof expected === 'string' ? 'an issue' : JSON.stringify(expected.value)}`, () => {
    const result = parseBalancedServices(trapDocument(field, written), 'h.yaml');
    if (typeof expected === 'string') {
      assert.equal(result.ok, false, `${written} was accepted in ${field}`);
      if (!result.ok) assert.deepEqual(result.issues.map((i) => formatIssue(i).replace(/^h\.yaml:\d+:\d+: /, '')), [expected]);
    } else {
      assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
      if (result.ok) assert.deepEqual(loadedValue(field, result.specs[0]!.object), expected.value);
    }
  });
}

test('random damage to a valid spec never throws, and every issue is one printable line', GUARD, () => {
  const hello = readFileSync(new URL('../examples/hello.yaml', import.meta.url), 'utf8');
  const alphabet = ['\n', ' ', '\t', ':', '-', '[', ']', '{', '}', '"', "'", '#', '&a ', '*a', '!', '|', '>', '?', ',', '0', '%', '@', '`', '\u0000', 'é', '\r', '\u007f', '\u0085', '\u009b', '\u2028', '\u202e', '\u2066'];
  let seed = 42;
  const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  let refused = 0;
  for (let round = 0; round < 400; round++) {
    let text = hello;
    for (let edits = 1 + random(4); edits > 0; edits--) {
      const at = random(text.length);
      text = random(3) === 0 ? text.slice(0, at) + text.slice(at + 1 + random(5)) : text.slice(0, at) + alphabet[random(alphabet.length)] + text.slice(at);
    }
    const result = parseBalancedServices(text, 'fuzz.yaml');
    if (result.ok) continue;
    refused++;
    assert.ok(result.issues.length > 0);
    for (const issue of result.issues) {
      const line = formatIssue(issue);
      assert.ok(issue.line >= 1 && issue.col >= 1, line);
      // eslint-disable-next-line no-control-regex -- the characters that must not be printed raw
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u, `an issue carries a control character: ${JSON.stringify(line)}`);
    }
  }
  assert.ok(refused > 100, `only ${refused} damaged specs were refused`);
});
