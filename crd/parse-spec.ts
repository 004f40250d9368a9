// Loads BalancedService specs from YAML text: YAML 1.2 core schema, duplicate keys rejected,
// aliases and size bounded, then the JSON Schema (filling defaults) and the semantic rules.
// Pure: the caller reads the file. Returns every spec, or every issue at once.
import { LineCounter, parseAllDocuments, visit, isPair, isScalar, isSeq, type Document } from 'yaml';
import { schemaValidator } from './schema.js';
import { schemaIssues, type RawIssue } from './schema-issues.js';
import { semanticIssues } from './semantic-rules.js';
import { compareIssues, formatPath, type PathSegment, type SpecIssue } from './spec-issue.js';
import { locateParentKey, locatePath, toPosition } from './yaml-locate.js';
import type { BalancedService } from './types.generated.js';

export const MAX_SPEC_BYTES = 1024 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_NESTING_DEPTH = 64;

export interface LoadedSpec {
  file: string;
  /** 0-based index of the YAML document in the file. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  /** The spec with every default filled in. */
  object: BalancedService;
}

export type ParseResult = { ok: true; specs: LoadedSpec[] } | { ok: false; issues: SpecIssue[] };

export function parseBalancedServices(text: string, file: string): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) {
    return failure([{ file, line: 1, col: 1, path: '', message: `file is ${bytes} bytes; a spec file may have at most ${MAX_SPEC_BYTES} bytes` }]);
  }
  const depth = flowNestingDepth(text);
  if (depth > MAX_NESTING_DEPTH) {
    return failure([{ file, line: 1, col: 1, path: '', message: `nesting is ${depth} levels deep; at most ${MAX_NESTING_DEPTH} are allowed` }]);
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {
    version: '1.2', schema: 'core', uniqueKeys: true, strict: true, prettyErrors: false, lineCounter,
  });
  const issues: SpecIssue[] = [];
  const specs: LoadedSpec[] = [];
  const docs = Array.isArray(documents) ? documents : [];
  docs.forEach((doc, index) => {
    const line = toPosition(lineCounter, doc.range[0]).line;
    const docIssues = checkDocument(doc, lineCounter, file);
    if (docIssues === 'empty') return;
    if (docIssues.issues.length > 0) issues.push(...docIssues.issues);
    else specs.push({ file, index, line, object: docIssues.object });
  });
  if (issues.length === 0 && specs.length === 0) {
    issues.push({ file, line: 1, col: 1, path: '', message: 'contains no BalancedService (the file is empty)' });
  }
  if (issues.length === 0) issues.push(...duplicateNameIssues(specs));
  return issues.length > 0 ? failure(issues) : { ok: true, specs };
}

function checkDocument(doc: Document, lineCounter: LineCounter, file: string): { issues: SpecIssue[]; object: BalancedService } | 'empty' {
  const at = (offset: number, message: string, path = ''): SpecIssue => ({ file, ...toPosition(lineCounter, offset), path, message });
  const syntax = doc.errors.map((e) => at(e.pos[0], yamlErrorMessage(e.code, e.message)));
  if (syntax.length > 0) return { issues: syntax, object: undefined as never };
  if (doc.contents === null) return 'empty';

  const traps: SpecIssue[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (node.type === 'PLAIN' && typeof node.value === 'number' && typeof node.source === 'string' && /^[-+]?0[0-9]/.test(node.source)) {
        const path = formatPath(ancestors.flatMap((a, i): PathSegment[] => {
          if (isPair(a) && isScalar(a.key) && a.key !== node) return [String(a.key.value)];
          if (isSeq(a)) { const next = ancestors[i + 1] ?? node; return [a.items.indexOf(next as never)]; }
          return [];
        }));
        if (key === 'key') return;
        traps.push(at(node.range?.[0] ?? 0, `the number ${node.source} has a leading zero; write ${String(node.value)} (YAML 1.1 would read it as octal)`, path));
      }
    },
  });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { issues: [at(0, `cannot be expanded: ${(error as Error).message} (at most ${MAX_ALIAS_COUNT} aliases)`)], object: undefined as never };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { issues: [at(doc.contents.range?.[0] ?? 0, 'must be a mapping with apiVersion, kind, metadata and spec')], object: undefined as never };
  }

  const validate = schemaValidator();
  validate(data);
  const raw: RawIssue[] = [...schemaIssues(validate.errors ?? []), ...semanticIssues(data)];
  const issues = [...traps, ...raw.map((issue) => positioned(doc, lineCounter, file, issue))].sort(compareIssues);
  return { issues, object: data as BalancedService };
}

function positioned(doc: Document, lineCounter: LineCounter, file: string, issue: RawIssue): SpecIssue {
  const position = issue.target === 'parent'
    ? locateParentKey(doc, lineCounter, issue.path.slice(0, -1))
    : locatePath(doc, lineCounter, issue.path, issue.target);
  return { file, ...position, path: formatPath(issue.path), message: issue.message };
}

function duplicateNameIssues(specs: readonly LoadedSpec[]): SpecIssue[] {
  const firstLine = new Map<string, number>();
  const issues: SpecIssue[] = [];
  for (const spec of specs) {
    const name = spec.object.metadata.name;
    const earlier = firstLine.get(name);
    if (earlier === undefined) firstLine.set(name, spec.line);
    else issues.push({ file: spec.file, line: spec.line, col: 1, path: 'metadata.name', message: `"${name}" is defined twice in this file (first at line ${earlier})` });
  }
  return issues;
}

function yamlErrorMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear once in a mapping';
  return `YAML syntax: ${message.split('\n')[0]}`;
}

/** Deepest nesting of flow collections and indentation, without parsing (guards the recursive composer). */
function flowNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) max = Math.max(max, ++depth); // [ {
    else if ((c === 93 || c === 125) && depth > 0) depth--; // ] }
  }
  let indentMax = 0;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (indent > indentMax) indentMax = indent;
  }
  return Math.max(max, Math.floor(indentMax / 2));
}

function failure(issues: SpecIssue[]): ParseResult {
  return { ok: false, issues: issues.sort(compareIssues) };
}
