// Seeded damage to valid specs, for the spec fuzzing row: text-level mutations (byte flips,
// line deletions and duplications, indentation changes, random scalars, type swaps) and
// tree-level ones (a random node replaced, removed, duplicated or given an unknown sibling).
import { stringify } from 'yaml';
import { int, type Random } from '../../haproxy/random-spec.js';

const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, 0, items.length - 1)]!;

/** Scalars that YAML 1.1, JSON habits or plain typos make tricky. */
export const TRICKY_SCALARS = [
  'no', 'yes', 'on', 'off', 'y', 'n', 'True', 'NULL', '~', '0777', '010', '0o17', '0x1F', '0b101', '1e3', '1_000',
  '22:22', '2001-12-14', '.inf', '-.Inf', '.nan', '3.0', '+3', '-1', '0', '99999999999999999999', '1.5', '""', "''",
  '"x\\ny"', '[]', '{}', '[a, b]', '{a: b}', '&a x', '*a', '!!binary aGk=', '!!set {a}', '!custom x', '|', '>-', '@x', '`x`',
  '%x', 'é', '"\\u0000"', 'x # c', '- x', '? x', 'a: b', '<<: *a',
];

const BYTES = ['\n', ' ', '\t', ':', '-', '[', ']', '{', '}', '"', "'", '#', '&a ', '*a', '!', '|', '>', '?', ',', '0', '%', '@', '`', '\u0000', 'é', '\r', '\uFEFF', '\\', '---\n', '...\n'];

type TextMutation = (r: Random, text: string) => string;

const TEXT_MUTATIONS: Record<string, TextMutation> = {
  'byte flip': (r, text) => {
    const at = int(r, 0, Math.max(0, text.length - 1));
    const code = text.charCodeAt(at) ^ (1 << int(r, 0, 6));
    return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
  },
  'byte insert': (r, text) => {
    const at = int(r, 0, text.length);
    return text.slice(0, at) + pick(r, BYTES) + text.slice(at);
  },
  'byte delete': (r, text) => {
    const at = int(r, 0, Math.max(0, text.length - 1));
    return text.slice(0, at) + text.slice(at + 1 + int(r, 0, 4));
  },
  'line delete': (r, text) => editLines(r, text, (lines, i) => lines.splice(i, 1)),
  'line duplicate': (r, text) => editLines(r, text, (lines, i) => lines.splice(i, 0, lines[i]!)),
  'line swap': (r, text) => editLines(r, text, (lines, i) => {
    const j = int(r, 0, lines.length - 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }),
  'indent change': (r, text) => editLines(r, text, (lines, i) => {
    const line = lines[i]!;
    lines[i] = r() < 0.5 ? ' '.repeat(int(r, 1, 4)) + line : r() < 0.2 ? `\t${line.trimStart()}` : line.replace(/^ {1,3}/, '');
  }),
  'random scalar': (r, text) => editLines(r, text, (lines, i) => {
    lines[i] = lines[i]!.replace(/(:\s+|-\s+)(\S.*)$/, (_m, sep: string) => sep + pick(r, TRICKY_SCALARS));
  }),
  'type swap': (r, text) => editLines(r, text, (lines, i) => {
    const indent = /^\s*/.exec(lines[i]!)![0];
    lines[i] = lines[i]!.replace(/(:\s+)(\S.*)$/, (_m, sep: string) =>
      pick(r, [`${sep}[${'x'}]`, `${sep}{k: v}`, `${sep}null`, `${sep}42`, `${sep}true`, `${sep}"42"`, `:\n${indent}  - x`, `:\n${indent}  k: v`]));
  }),
  'key rename': (r, text) => editLines(r, text, (lines, i) => {
    lines[i] = lines[i]!.replace(/^(\s*)([A-Za-z]+)(:)/, (_m, s: string, key: string, c: string) => s + pick(r, [key.toUpperCase(), `${key}x`, `"${key}"`, '0777', 'no', '? ' + key, key + ' ' + key]) + c);
  }),
};

function editLines(r: Random, text: string, edit: (lines: string[], index: number) => void): string {
  const lines = text.split('\n');
  edit(lines, int(r, 0, lines.length - 1));
  return lines.join('\n');
}

/** 1 to 4 text mutations of `text`; returns the new text and the names of what was done. */
export function mutateText(r: Random, text: string): { text: string; what: string[] } {
  const what: string[] = [];
  let out = text;
  for (let n = int(r, 1, 4); n > 0; n--) {
    const name = pick(r, Object.keys(TEXT_MUTATIONS));
    out = TEXT_MUTATIONS[name]!(r, out);
    what.push(name);
  }
  return { text: out, what };
}

type Tree = Record<string, unknown> | unknown[];

function randomValue(r: Random, depth = 0): unknown {
  switch (int(r, 0, 11)) {
    case 0: return int(r, -5, 70_000);
    case 1: return r() * 10;
    case 2: return r() < 0.5;
    case 3: return null;
    case 4: return pick(r, TRICKY_SCALARS);
    case 5: return 'x'.repeat(int(r, 0, 3000));
    case 6: return depth > 3 ? [] : [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 7: return depth > 3 ? {} : { [pick(r, ['a', 'image', 'port', 'no', '0777', ''])]: randomValue(r, depth + 1) };
    case 8: return Number.MAX_SAFE_INTEGER * (r() < 0.5 ? 1 : -1);
    case 9: return `${int(r, 0, 999)}${pick(r, ['ms', 's', 'm', 'h', 'Mi', 'Gi', 'k', '', 'd'])}`;
    case 10: return '\u202e\u0000\n#"\'\\${X}';
    default: return 'hello';
  }
}

/** Every path to a node of `tree` (the root excluded). */
function nodePaths(tree: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (tree === null || typeof tree !== 'object') return out;
  for (const [key, value] of Object.entries(tree)) {
    const p = [...path, Array.isArray(tree) ? Number(key) : key];
    out.push(p);
    nodePaths(value, p, out);
  }
  return out;
}

/** 1 to 3 tree mutations of one document of the parsed file `docs`, then written as YAML (or JSON for one document). */
export function mutateTree(r: Random, docs: readonly unknown[]): { text: string; what: string[] } {
  const trees = structuredClone(docs) as Tree[];
  const tree = trees[int(r, 0, trees.length - 1)]!;
  const what: string[] = [];
  for (let n = int(r, 1, 3); n > 0; n--) {
    const paths = nodePaths(tree);
    if (paths.length === 0) break;
    const path = pick(r, paths);
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], tree); // eslint-disable-line @typescript-eslint/no-explicit-any
    const key = path[path.length - 1]!;
    const op = pick(r, ['replace', 'remove', 'unknown sibling', 'wrap in list', 'wrap in mapping']);
    if (op === 'replace') parent[key] = randomValue(r);
    else if (op === 'remove' && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (op === 'remove') delete parent[key];
    else if (op === 'unknown sibling' && !Array.isArray(parent)) parent[`${String(key)}X`] = randomValue(r);
    else if (op === 'wrap in list') parent[key] = [parent[key]];
    else parent[key] = { value: parent[key] };
    what.push(`tree ${op}`);
  }
  const form = r() < 0.7 || trees.length > 1 ? 'YAML' : 'JSON';
  return { text: form === 'YAML' ? trees.map((t) => stringify(t)).join('---\n') : JSON.stringify(tree), what: [...what, form] };
}
