// Issue #8 row 11, spec fuzzing: a few thousand seeded mutations of the valid corpus (text and
// tree level), billion laughs, 10 MB documents, 5,000-level nesting, duplicate keys and YAML 1.1
// traps, each parsed by the real loader in a worker thread with a deadline. Every case ends in
// a valid spec or in issues that each carry file:line:col and a field path; nothing throws,
// hangs or silently converts a value. Reports parse time and peak memory.
// The seed is printed; BSO_FUZZ_SEED replays a run, BSO_FUZZ_CASES changes the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { formatIssue, formatPath, type PathSegment, type SpecIssue } from '../../../crd/spec-issue.js';
import { MAX_SPEC_BYTES } from '../../../crd/parse-spec.js';
import { seededRandom } from '../../haproxy/random-spec.js';
import { percentile } from '../../../bench/lib/loopback/spawn-api.js';
import { formatCount, recordFaultRow } from '../fault-table.js';
import { ParseRunner, type ParseOutcome } from './parse-runner.js';
import { mutateText, mutateTree } from './spec-mutations.js';

const SEED = Number(process.env.BSO_FUZZ_SEED ?? Date.now() % 1_000_000);
const CASES = Number(process.env.BSO_FUZZ_CASES ?? 3000);
/** A parse that takes longer is a hang (the worker is terminated). Generous: CI machines are slow. */
const DEADLINE_MS = 10_000;
/** A parse slower than this is flagged as an outlier; documents of about 1 MiB get longer. */
const OUTLIER_MS = 1000;
const BIG_OUTLIER_MS = 5000;
const VALID_DIR = new URL('../../../crd/testdata/valid/', import.meta.url);
const CORPUS = readdirSync(VALID_DIR).filter((f) => f.endsWith('.yaml')).sort().map((f) => ({ name: f, text: readFileSync(new URL(f, VALID_DIR), 'utf8') }));
const MiB = 2 ** 20;

/** A field path as formatPath writes it: spec.agent.port, spec.env.FOO, metadata.labels["example.com/tier"], items[2]. */
const FIELD_PATH = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"(?:[^"\\]|\\.)*")\])(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"(?:[^"\\]|\\.)*")\])*$/;
/** Issues about the document as a whole carry the empty path; only these messages may. */
const DOCUMENT_LEVEL = /^(YAML syntax: |YAML: |the YAML |is \d+ bytes; |contains no BalancedService|must be a mapping with apiVersion|too many aliases|declares %YAML|cannot be read: |a key must |the tag |duplicate key)/;

process.stderr.write(`spec fuzzing: seed ${SEED} (BSO_FUZZ_SEED=${SEED} replays it), ${CASES} cases\n`);

interface Tally { outlierMs: number; cases: number; valid: number; refused: number; crashes: string[]; hangs: string[]; badIssues: string[]; times: number[]; outliers: string[] }
const newTally = (outlierMs = OUTLIER_MS): Tally => ({ outlierMs, cases: 0, valid: 0, refused: 0, crashes: [], hangs: [], badIssues: [], times: [], outliers: [] });

/** Checks one outcome: a valid spec, or issues in the printed format; records crashes, hangs and slow parses. */
function judge(tally: Tally, outcome: ParseOutcome, text: string, file: string, label: string): void {
  tally.cases++;
  tally.times.push(outcome.ms);
  if (outcome.ms > tally.outlierMs) tally.outliers.push(`${label}: ${outcome.ms.toFixed(0)} ms`);
  if ('hung' in outcome) { tally.hangs.push(label); return; }
  if (outcome.thrown) { tally.crashes.push(`${label}: ${outcome.thrown.name}: ${outcome.thrown.message}`); return; }
  const result = outcome.result!;
  if (result.ok) {
    if (result.specs.length === 0) tally.badIssues.push(`${label}: ok without a spec`);
    tally.valid++;
    return;
  }
  tally.refused++;
  if (result.issues.length === 0) tally.badIssues.push(`${label}: refused without an issue`);
  const lines = text.split('\n').length;
  for (const issue of result.issues) {
    const problem = issueProblem(issue, file, lines);
    if (problem) tally.badIssues.push(`${label}: ${problem}: ${JSON.stringify(formatIssue(issue))}`);
  }
}

function issueProblem(issue: SpecIssue, file: string, lines: number): string | undefined {
  if (issue.file !== file) return 'wrong file';
  if (!Number.isInteger(issue.line) || issue.line < 1 || issue.line > lines + 1) return `line ${issue.line} outside 1..${lines + 1}`;
  if (!Number.isInteger(issue.col) || issue.col < 1) return `column ${issue.col}`;
  if (issue.path === '' ? !DOCUMENT_LEVEL.test(issue.message) : !FIELD_PATH.test(issue.path)) return `path ${JSON.stringify(issue.path)}`;
  if (issue.message.trim() === '') return 'empty message';
  const unprintable = firstUnprintable(formatIssue(issue)) ?? firstUnprintable(JSON.stringify(issue));
  if (unprintable) return `${unprintable} in the printed issue`;
  return undefined;
}

/**
 * The characters no printed issue may carry raw, written here apart from lib/printable-text.ts so
 * that this test checks that rule instead of repeating it: C0, DEL, C1, the line and paragraph
 * separators, and the bidirectional embeddings, overrides and isolates.
 */
const FORBIDDEN_CLASSES: ReadonlyArray<[string, number, number]> = [
  ['C0 control', 0x00, 0x1f], ['DEL', 0x7f, 0x7f], ['C1 control', 0x80, 0x9f], ['line separator', 0x2028, 0x2028],
  ['paragraph separator', 0x2029, 0x2029], ['bidi embedding or override', 0x202a, 0x202e], ['bidi isolate', 0x2066, 0x2069],
];

/** "DEL U+007F" for the first forbidden character of `text`, or undefined. */
function firstUnprintable(text: string): string | undefined {
  for (const c of text) {
    const code = c.codePointAt(0)!;
    const hit = FORBIDDEN_CLASSES.find(([, from, to]) => code >= from && code <= to);
    if (hit) return `${hit[0]} U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/** The seeded mutations of the corpus, case by case: the same seed and corpus give the same texts. */
function* mutatedCorpus(seed: number, count: number): Generator<{ i: number; source: { name: string; text: string }; mutated: { text: string; what: string[] } }> {
  const r = seededRandom(seed);
  const trees = CORPUS.map((c) => [parseAllDocuments(c.text)].flat().map((d) => d.toJS() as unknown));
  for (let i = 0; i < count; i++) {
    const pickAt = Math.floor(r() * CORPUS.length);
    const source = CORPUS[pickAt]!;
    yield { i, source, mutated: r() < 0.65 ? mutateText(r, source.text) : mutateTree(r, trees[pickAt]!) };
  }
}

function assertClean(tally: Tally, what: string): void {
  assert.deepEqual(tally.crashes, [], `${what}: exceptions (seed ${SEED})`);
  assert.deepEqual(tally.hangs, [], `${what}: parses that hung past ${DEADLINE_MS} ms (seed ${SEED})`);
  assert.deepEqual(tally.badIssues.slice(0, 20), [], `${what}: issues without file:line:col and a field path (seed ${SEED})`);
  assert.deepEqual(tally.outliers, [], `${what}: parses slower than ${tally.outlierMs} ms (seed ${SEED})`);
}

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
const timeFigure = (t: Tally) => `parse p50 ${ms(percentile(t.times, 50))} ms, p99 ${ms(percentile(t.times, 99))} ms, max ${ms(Math.max(...t.times))} ms`;
const maxRssMiB = () => (process.resourceUsage().maxRSS * 1024) / MiB;
const lost = (t: Tally) => (t.crashes.length + t.hangs.length + t.badIssues.length + t.outliers.length === 0 ? '-'
  : `${t.crashes.length} crashes, ${t.hangs.length} hangs, ${t.badIssues.length} malformed issues, ${t.outliers.length} parses > ${t.outlierMs / 1000} s`);

test(`${formatCount(CASES)} seeded mutations of the valid corpus end in a valid spec or located issues (seed ${SEED})`, { timeout: 120_000 }, async () => {
  const runner = new ParseRunner(DEADLINE_MS);
  const tally = newTally();
  const kinds = new Map<string, number>();
  let passed = false;
  try {
    for (const { i, source, mutated } of mutatedCorpus(SEED, CASES)) {
      for (const w of mutated.what) kinds.set(w, (kinds.get(w) ?? 0) + 1);
      const file = `fuzz-${i}.yaml`;
      judge(tally, await runner.parse(mutated.text, file), mutated.text, file, `case ${i} (${source.name}: ${mutated.what.join(', ')})`);
    }
    process.stderr.write(`mutations: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    assertClean(tally, 'mutated corpus');
    assert.ok(tally.refused > CASES / 4, `only ${tally.refused} of ${CASES} mutations were refused: the mutations do too little`);
    assert.ok(tally.valid > 0, 'no mutation stayed valid: the mutations are all fatal');
    passed = true;
  } finally {
    await runner.close();
    recordFaultRow({
      row: '11',
      fault: `spec fuzzing: ${formatCount(CASES)} seeded mutations of crd/testdata/valid (byte flips, line deletions/duplications, indentation, tricky scalars, type swaps, tree edits; seed ${SEED})`,
      figure: `${formatCount(tally.cases)} cases: ${formatCount(tally.valid)} valid, ${formatCount(tally.refused)} refused with located issues; ${tally.times.length ? timeFigure(tally) : 'no parse'}; peak RSS ${maxRssMiB().toFixed(0)} MiB`,
      lost: lost(tally),
      passed,
    });
  }
});


// Fixed regression cases beside the random run (issue #13): the seed that printed DEL raw, its
// failing text as a file (a change to the corpus changes what a seed makes), and one character
// of each class in a key, a value and a file name.
const PINNED_SEED = 194963;
const PINNED_CASE = 1267;

test(`seed ${PINNED_SEED} replayed up to its case ${PINNED_CASE} (DEL in a key was printed raw)`, { timeout: 60_000 }, async () => {
  const runner = new ParseRunner(DEADLINE_MS);
  const tally = newTally();
  try {
    for (const { i, source, mutated } of mutatedCorpus(PINNED_SEED, PINNED_CASE + 1)) {
      const file = `fuzz-${i}.yaml`;
      judge(tally, await runner.parse(mutated.text, file), mutated.text, file, `case ${i} (${source.name}: ${mutated.what.join(', ')})`);
    }
  } finally {
    await runner.close();
  }
  assert.deepEqual(tally.badIssues, [], `seed ${PINNED_SEED}: malformed issues`);
  assert.equal(tally.cases, PINNED_CASE + 1);
});

test(`the text seed ${PINNED_SEED} made at case ${PINNED_CASE}: "p\\x7Frt" as a key is printed escaped`, async () => {
  const text = readFileSync(new URL('testdata/fuzz-seed-194963-case-1267.yaml', import.meta.url), 'utf8');
  assert.ok(text.includes('p\x7Frt'), 'the fixture holds the raw DEL');
  const outcome = await parseOnce(text, 'fuzz-1267.yaml');
  assert.ok(!outcome.ok);
  const printed = outcome.issues.map(formatIssue);
  assert.ok(printed.includes('fuzz-1267.yaml:28:5: spec.agent["p\\u007frt"]: unknown field (did you mean "port"?); known fields: port, interval, metric, thresholds, sampleInterval, smoothing, minMaintTime, weighting'), printed.join('\n'));
  for (const line of [...printed, JSON.stringify(outcome.issues)]) assert.equal(firstUnprintable(line), undefined, line);
});

/** One character of each forbidden class, and the places a spec puts text into an issue. */
const CLASS_SAMPLES: ReadonlyArray<[string, string]> = [
  ['C0 (ESC)', '\u001b'], ['C0 (BEL)', '\u0007'], ['DEL', '\u007f'], ['C1 (NEL)', '\u0085'], ['C1 (CSI)', '\u009b'],
  ['line separator', '\u2028'], ['paragraph separator', '\u2029'], ['bidi override (RLO)', '\u202e'], ['bidi isolate (FSI)', '\u2068'],
];
const SITES: ReadonlyArray<[string, (c: string) => { text: string; file: string }]> = [
  ['a key', (c) => ({ text: `${HEAD}${BODY}  agent:\n    "po${c}rt": 1\n`, file: 'k.yaml' })],
  ['a value', (c) => ({ text: `${HEAD}${BODY}  replicas: "t${c}wo"\n`, file: 'v.yaml' })],
  ['a label key', (c) => ({ text: `${HEAD}  labels:\n    "a${c}": "1"\n${BODY}`, file: 'l.yaml' })],
  ['a file name', (c) => ({ text: `${HEAD}${BODY}  replicas: -1\n`, file: `f${c}.yaml` })],
];

for (const [klass, c] of CLASS_SAMPLES) {
  test(`${klass} U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} in a key, a value, a label key and a file name is printed escaped`, async () => {
    const escaped = `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;
    for (const [site, make] of SITES) {
      const { text, file } = make(c);
      const outcome = await parseOnce(text, file);
      assert.ok(!outcome.ok, `${site}: refused`);
      const printed = outcome.issues.map(formatIssue);
      for (const line of [...printed, JSON.stringify(outcome.issues)]) assert.equal(firstUnprintable(line), undefined, `${site}: ${line}`);
      assert.ok(printed.some((line) => line.includes(escaped)), `${site}: ${escaped} shown: ${printed.join(' | ')}`);
    }
  });
}

/** The loader in a worker with its deadline, for one text. */
async function parseOnce(text: string, file: string): Promise<{ ok: true } | { ok: false; issues: SpecIssue[] }> {
  const runner = new ParseRunner(DEADLINE_MS);
  try {
    const outcome = await runner.parse(text, file);
    assert.ok('result' in outcome && outcome.result, `${file}: no result`);
    return outcome.result.ok ? { ok: true } : { ok: false, issues: outcome.result.issues };
  } finally {
    await runner.close();
  }
}

const HEAD = 'apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata:\n  name: hello\n';
const BODY = 'spec:\n  image: x\n';

/** Documents built to exhaust the parser: [label, text, the issue path or message expected]. */
function bigCases(): Array<[string, string, RegExp]> {
  const laughs = ['    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++) laughs.push(`    l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  const wideAnchor = `    a: &w [${Array(30_000).fill('x').join(',')}]\n${Array.from({ length: 99 }, (_, i) => `    b${i}: *w`).join('\n')}`;
  const tenMB = 10 * MiB;
  const indented = (levels: number) => Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
  const wide = Array.from({ length: 40_000 }, (_, i) => `    k${i}: v`).join('\n');
  return [
    ['billion laughs (9 levels of 9 aliases)', `${HEAD}  annotations:\n${laughs.join('\n')}\n${BODY}`, /too many aliases/],
    ['one 30,000-item anchor aliased 99 times', `${HEAD}  annotations:\n${wideAnchor}\n${BODY}`, /metadata\.annotations\.(a|b0): must be/],
    ['10 MB string', `${HEAD}${BODY}  env:\n    A: "${'x'.repeat(tenMB)}"\n`, /^h\.yaml:1:1: is \d+ bytes/],
    ['10 MB of lines', `${HEAD}${BODY}  env:\n${'    A: b\n'.repeat(tenMB / 9)}`, /^h\.yaml:1:1: is \d+ bytes/],
    ['10 MB of documents', `${HEAD}${BODY}---\n`.repeat(tenMB / 48), /^h\.yaml:1:1: is \d+ bytes/],
    ['just under 1 MiB: 40,000 labels', `${HEAD}  labels:\n${wide}\n${BODY}`, /metadata\.labels: /],
    ['just under 1 MiB: one string', `${HEAD}${BODY}  env:\n    A: "${'x'.repeat(MAX_SPEC_BYTES - 200)}"\n`, /spec\.env\.A: must be at most/],
    ['5,000 levels of flow lists', `${HEAD}${BODY}  env: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /the YAML nests more than 64 levels/],
    ['5,000 levels of flow mappings', `${HEAD}${BODY}  env: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`, /the YAML nests more than 64 levels/],
    ['5,000 levels of JSON', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, /the YAML nests more than 64 levels/],
    ['5,000 levels of compact block lists', `${HEAD}${BODY}  env:\n    A:\n      ${'- '.repeat(5000)}x\n`, /the YAML nests more than 64 levels/],
    ['1,400 levels of indented mappings (1 MiB)', indented(1400), /the YAML nests more than 64 levels/],
    ['5,000 levels of indented mappings (12 MB)', indented(5000), /^h\.yaml:1:1: is \d+ bytes/],
    ['500,000 unclosed brackets', `${HEAD}${BODY}  env: ${'['.repeat(500_000)}`, /the YAML nests more than 64 levels/],
    ['duplicate top-level key', `${HEAD}${BODY}spec:\n  image: y\n`, /spec: duplicate key/],
    ['duplicate nested key', `${HEAD}spec:\n  image: x\n  agent:\n    port: 1\n    port: 2\n`, /spec\.agent\.port: duplicate key/],
    ['duplicate label', `${HEAD}  labels:\n    a: x\n    a: y\n${BODY}`, /metadata\.labels\.a: duplicate key/],
    ['duplicate after conversion (1 and "1")', `${HEAD}  labels:\n    1: x\n    "1": y\n${BODY}`, /metadata\.labels\["1"\]: /],
    ['duplicate key in flow mapping', `${HEAD}${BODY}  env: {A: x, A: y}\n`, /spec\.env\.A: duplicate key/],
    ['5,000 duplicate keys', `${HEAD}${BODY}  env:\n${'    A: x\n'.repeat(5000)}`, /spec\.env\.A: duplicate key/],
  ];
}

/** [trap, as written]: YAML 1.1 habits; each must stay the text as written or be refused on its field. */
const TRAPS = ['no', 'on', 'off', 'yes', 'y', 'n', 'NO', 'On', '0777', '010', '22:22', '1:30:00', '1_000', '2001-12-14', '0x1F', '0o17', '1e3', '.inf', '~', 'null', 'True', '=', '<<'];

type Leaf = { path: PathSegment[]; key: boolean };

/** Every scalar of the every-field spec, and every key of its maps of free keys (labels, annotations, env). */
function leaves(node: unknown, path: PathSegment[] = [], out: Leaf[] = []): Leaf[] {
  if (node === null || typeof node !== 'object') { out.push({ path, key: false }); return out; }
  const free = ['labels', 'annotations', 'env'].includes(String(path[path.length - 1]));
  if (free) out.push({ path: [...path, Object.keys(node)[0]!], key: true });
  for (const [k, v] of Object.entries(node)) leaves(v, [...path, k], out);
  return out;
}

function at(doc: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((node, key) => (node === undefined || node === null ? undefined : (node as Record<string, unknown>)[key]), doc);
}

const PLACEHOLDER = 'TRAP_PLACEHOLDER_7f3a';

test('billion laughs, 10 MB documents, 5,000-level nesting, duplicate keys and YAML 1.1 traps: an issue on the field or the text as written', { timeout: 120_000 }, async () => {
  const runner = new ParseRunner(DEADLINE_MS);
  const big = newTally(BIG_OUTLIER_MS);
  const traps = newTally();
  const bigFigures: string[] = [];
  const conversions: string[] = [];
  let passed = false;
  try {
    for (const [label, text, expected] of bigCases()) {
      const rssBefore = maxRssMiB();
      const outcome = await runner.parse(text, 'h.yaml');
      judge(big, outcome, text, 'h.yaml', label);
      const rssAfter = maxRssMiB();
      if (!/duplicate/.test(label)) bigFigures.push(`${label.replace(/ \(.*\)$/, '')} ${ms(outcome.ms)} ms${rssAfter - rssBefore >= 1 ? ` (+${(rssAfter - rssBefore).toFixed(0)} MiB peak)` : ''}`);
      if ('result' in outcome && outcome.result) {
        const printed = outcome.result.ok ? ['accepted'] : outcome.result.issues.map(formatIssue);
        assert.ok(printed.some((line) => expected.test(line)), `${label}: expected ${expected}, got ${printed.slice(0, 3).join(' | ')}`);
      }
    }
    assertClean(big, 'hostile documents');

    const base = parse(CORPUS.find((c) => c.name === 'every-field.yaml')!.text) as Record<string, unknown>;
    for (const leaf of leaves(base)) {
      const doc = structuredClone(base);
      const parent = at(doc, leaf.path.slice(0, -1)) as Record<string, unknown>;
      const last = leaf.path[leaf.path.length - 1]!;
      if (leaf.key) {
        parent[PLACEHOLDER] = parent[last];
        delete parent[last];
      } else parent[last] = PLACEHOLDER;
      const template = stringify(doc);
      for (const trap of TRAPS) {
        const text = template.replace(PLACEHOLDER, trap);
        const field = formatPath(leaf.path);
        const label = `${trap} as ${leaf.key ? `a key of ${formatPath(leaf.path.slice(0, -1))}` : field}`;
        const outcome = await runner.parse(text, 'trap.yaml');
        judge(traps, outcome, text, 'trap.yaml', label);
        if (!('result' in outcome) || !outcome.result) continue;
        const result = outcome.result;
        if (result.ok) {
          const loaded = result.specs[0]!.object;
          const kept = leaf.key ? Object.keys(at(loaded, leaf.path.slice(0, -1)) as object).includes(trap) : at(loaded, leaf.path) === trap;
          if (!kept) conversions.push(`${label}: accepted as ${JSON.stringify(leaf.key ? Object.keys(at(loaded, leaf.path.slice(0, -1)) as object) : at(loaded, leaf.path))}`);
        } else {
          const parentPath = formatPath(leaf.path.slice(0, -1));
          const named = result.issues.some((i) => (leaf.key ? i.path.startsWith(parentPath) : i.path === field));
          if (!named) conversions.push(`${label}: refused without naming the field: ${result.issues.map(formatIssue).join(' | ')}`);
        }
      }
    }
    assertClean(traps, 'YAML 1.1 traps');
    assert.deepEqual(conversions, [], 'YAML 1.1 traps converted silently or refused without the field');
    passed = true;
  } finally {
    await runner.close();
    recordFaultRow({
      row: '11',
      fault: 'billion laughs, a wide alias, 10 MB documents, 5,000-level nesting, 500,000 unclosed brackets, duplicate keys',
      figure: `${big.cases} documents, each refused with a located issue: ${bigFigures.join('; ')}; peak RSS ${maxRssMiB().toFixed(0)} MiB`,
      lost: lost(big),
      passed: passed || (big.cases > 0 && lost(big) === '-'),
    });
    recordFaultRow({
      row: '11',
      fault: `YAML 1.1 traps (${TRAPS.join(' ')}) in every field and as keys of labels, annotations and env`,
      figure: `${formatCount(traps.cases)} cases: ${formatCount(traps.valid)} kept the text as written, ${formatCount(traps.refused)} refused on the field; ${traps.times.length ? timeFigure(traps) : 'no parse'}`,
      lost: conversions.length === 0 ? lost(traps) : `${conversions.length} silent conversions or unnamed fields; ${lost(traps)}`,
      passed,
    });
  }
});
