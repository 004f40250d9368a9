// YAML that parses but would not mean what its author wrote: numbers in octal, hexadecimal or
// exponent notation, keys that are not text (0777: is the key "777"), duplicate keys (also two
// keys that become the same text), and tags. Each becomes an issue instead of a silent conversion.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Scalar } from 'yaml';
import { expectedTypeAt } from './schema-lookup.js';
import { formatPath, type PathSegment, type SpecIssue } from './spec-issue.js';
import { toPosition } from './yaml-locate.js';

const YAML_TAG = 'tag:yaml.org,2002:';
const ALLOWED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => YAML_TAG + t));

export interface TrapResult {
  issues: SpecIssue[];
  /** The document cannot be turned into plain data (keys that are collections, exotic tags, duplicate keys). */
  fatal: boolean;
}

export function yamlTrapIssues(doc: Document, lineCounter: LineCounter, file: string): TrapResult {
  const issues: SpecIssue[] = [];
  let fatal = false;
  const report = (node: Node | null | undefined, path: readonly PathSegment[], message: string) => {
    issues.push({ file, ...toPosition(lineCounter, node?.range?.[0] ?? 0), path: formatPath(path), message });
  };

  const walk = (node: unknown, path: PathSegment[]): void => {
    if (!node || isAlias(node)) return;
    const tag = (node as Node).tag;
    if (tag && !ALLOWED_TAGS.has(tag)) {
      report(node as Node, path, `the tag ${displayTag(tag)} is not supported; write plain YAML values without tags`);
      fatal = true;
      return;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key)) {
          report(key as Node, path, 'a key must be plain text, not a list, a mapping or an alias');
          fatal = true;
          continue;
        }
        const text = keyText(key);
        const keyPath = [...path, text];
        const problem = keyProblem(key);
        if (problem) report(key, keyPath, problem);
        if (seen.has(text)) {
          report(key, keyPath, 'duplicate key: each key may appear once in a mapping');
          fatal = true; // which of the two values is meant cannot be known
        }
        seen.add(text);
        walk(pair.value, keyPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'number') {
      const problem = numberProblem(node, expectedTypeAt(path));
      if (problem) report(node, path, problem);
    }
  };
  walk(doc.contents, []);
  return { issues, fatal };
}

function keyText(key: Scalar): string {
  return key.value === null || key.value === undefined ? '' : String(key.value);
}

function keyProblem(key: Scalar): string | undefined {
  if (typeof key.value === 'string') return undefined;
  const source = key.source === undefined ? '' : String(key.source);
  if (key.value === null || key.value === undefined) {
    return source === '' ? 'a key must not be empty' : `the key ${source} is read as null, not as text; write it in quotes: "${source}"`;
  }
  if (String(key.value) === source) return undefined; // 1: or true: mean the text they show
  return `the key ${source} is read as ${describeValue(key.value)}, not as the text "${source}"; write it in quotes`;
}

function numberProblem(node: Scalar, expected: string | undefined): string | undefined {
  if (expected !== 'integer' && expected !== 'number') return undefined; // other fields report the type
  const value = node.value as number;
  const source = String(node.source ?? value);
  if (!Number.isFinite(value)) return undefined; // the schema's type check reports it
  if (/^[-+]?0[xX]/.test(source)) return `the number ${source} is hexadecimal; write ${value} in decimal`;
  if (/^[-+]?0o/.test(source)) return `the number ${source} is octal; write ${value} in decimal`;
  if (/^[-+]?0[0-9]/.test(source)) {
    const why = source.includes('.') ? '' : ' (YAML 1.1 would read it as octal)';
    return `the number ${source} has a leading zero; write ${plainNumber(source)}${why}`;
  }
  if (/[eE]/.test(source)) return `the number ${source} uses exponent notation; write ${value}`;
  if (expected === 'integer' && Number.isInteger(value) && source.includes('.')) return `must be a whole number; write ${value} without a decimal point`;
  return undefined;
}

/** 0777 -> 777, -007.50 -> -7.50: the digits as written, without the leading zeros. */
function plainNumber(source: string): string {
  return source.replace(/^([-+]?)0+(?=[0-9])/, '$1');
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return `a ${typeof value}`;
}

function displayTag(tag: string): string {
  return tag.startsWith(YAML_TAG) ? `!!${tag.slice(YAML_TAG.length)}` : tag;
}
