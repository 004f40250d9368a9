// Loads BalancedService specs from YAML text: YAML 1.2 core schema, duplicate keys rejected,
// aliases, size and nesting bounded, YAML traps reported, then the JSON Schema (filling
// defaults) and the semantic rules. Pure: the caller reads the file. Returns every spec, or
// every issue at once.
import { LineCounter, isPair, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import { schemaValidator } from './schema.js';
import { schemaIssues, type RawIssue } from './schema-issues.js';
import { semanticIssues, statusIssues } from './semantic-rules.js';
import { compareIssues, formatPath, printableIssue, type SpecIssue } from './spec-issue.js';
import { locateParentKey, locatePath, nodeAt, pathOfKeyAt, toPosition, type Position } from './yaml-locate.js';
import { schemaAt } from './schema-lookup.js';
import { findExcessiveNesting } from './nesting-depth.js';
import { yamlTrapIssues } from './yaml-traps.js';
import { typeMessage } from './type-message.js';
import type { BalancedService } from './types.generated.js';

export const MAX_SPEC_BYTES = 1024 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_NESTING_DEPTH = 64;

export interface LoadedSpec {
  file: string;
  /** 0-based index of the YAML document in the file. */
  index: number;
  /** 1-based line where the document's content starts (after any --- and comments). */
  line: number;
  /** Where metadata.name's value stands, for messages about the name. */
  namePosition: Position;
  /** The spec with every default filled in. */
  object: BalancedService;
}

export type ParseResult = { ok: true; specs: LoadedSpec[] } | { ok: false; issues: SpecIssue[] };

type DocumentResult = { issues: SpecIssue[] } | { spec: Omit<LoadedSpec, 'file' | 'index'> } | 'empty';

export function parseBalancedServices(text: string, file: string): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) return failure([sizeIssue(file, `is ${bytes} bytes`)]);
  const deep = findExcessiveNesting(text, MAX_NESTING_DEPTH);
  if (deep) {
    return failure([{ file, ...deep, path: '', message: `the YAML nests more than ${MAX_NESTING_DEPTH} levels deep (a BalancedService needs 4)` }]);
  }
  const lineCounter = new LineCounter();
  // Duplicate keys are found by yamlTrapIssues in one pass: the parser's own check (uniqueKeys)
  // compares each key with every earlier one, and 40,000 keys in 1 MiB took 30 s.
  const parsed = parseAllDocuments(text, {
    version: '1.2', schema: 'core', uniqueKeys: false, strict: true, prettyErrors: false, lineCounter,
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  const issues: SpecIssue[] = [];
  const specs: LoadedSpec[] = [];
  documents.forEach((doc, index) => {
    const result = checkDocument(text, doc, lineCounter, file);
    if (result === 'empty') return;
    if ('issues' in result) issues.push(...result.issues);
    else specs.push({ file, index, ...result.spec });
  });
  if (issues.length === 0 && specs.length === 0) {
    issues.push({ file, line: 1, col: 1, path: '', message: 'contains no BalancedService (the file is empty)' });
  }
  if (issues.length === 0) issues.push(...duplicateNameIssues(specs));
  return issues.length > 0 ? failure(issues) : { ok: true, specs };
}

/** The issue for a file over the size limit; `what` says how big it is ("is 2000000 bytes"). */
export function sizeIssue(file: string, what: string): SpecIssue {
  return { file, line: 1, col: 1, path: '', message: `${what}; a spec file may have at most ${MAX_SPEC_BYTES} bytes (1 MiB)` };
}

function checkDocument(text: string, doc: Document.Parsed, lineCounter: LineCounter, file: string): DocumentResult {
  const at = (offset: number, message: string, path = ''): SpecIssue => ({ file, ...toPosition(lineCounter, offset), path, message });
  const syntax = doc.errors.map((e) => {
    const path = e.code === 'DUPLICATE_KEY' ? formatPath(pathOfKeyAt(doc, e.pos[0]) ?? []) : '';
    return at(e.pos[0], yamlErrorMessage(e.code, e.message), path);
  });
  if (syntax.length > 0) return { issues: syntax };
  const version = doc.directives?.yaml;
  if (version?.explicit && version.version !== '1.2') {
    return { issues: [at(Math.max(0, text.lastIndexOf('%YAML', doc.range[0])), `declares %YAML ${version.version}; bso reads YAML 1.2 only: remove the %YAML line`)] };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) return 'empty';

  const traps = yamlTrapIssues(doc, lineCounter, file);
  // Unresolved tags are reported by the traps, with the field's path.
  const warnings = doc.warnings
    .filter((w) => w.code !== 'TAG_RESOLVE_FAILED')
    .map((w) => at(w.pos[0], `YAML: ${w.message.split('\n')[0]}`));
  if (traps.fatal) return { issues: [...traps.issues, ...warnings].sort(compareIssues) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const why = (error as Error).message;
    if (!/alias/i.test(why)) return { issues: [at(doc.contents.range?.[0] ?? 0, `cannot be read: ${why}`)] };
    const alias = firstAlias(doc);
    return { issues: [at(alias?.offset ?? 0, `too many aliases: expanding them would build a huge document (at most ${MAX_ALIAS_COUNT} alias expansions)`, alias?.path)] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { issues: [at(doc.contents.range?.[0] ?? 0, 'must be a mapping with apiVersion, kind, metadata and spec')] };
  }

  const status = statusIssues(data);
  delete (data as Record<string, unknown>).status;
  const validate = schemaValidator();
  validate(data);
  const raw: RawIssue[] = [...status, ...schemaIssues(validate.errors ?? []), ...semanticIssues(data)];
  const issues = [...traps.issues, ...warnings, ...raw.map((issue) => positioned(doc, lineCounter, file, issue))];
  if (issues.length > 0) return { issues: issues.sort(compareIssues) };
  return {
    spec: {
      line: toPosition(lineCounter, doc.contents.range?.[0] ?? doc.range[0]).line,
      namePosition: locatePath(doc, lineCounter, ['metadata', 'name']),
      object: data as BalancedService,
    },
  };
}

function positioned(doc: Document, lineCounter: LineCounter, file: string, issue: RawIssue): SpecIssue {
  const position = issue.target === 'parent'
    ? locateParentKey(doc, lineCounter, issue.path.slice(0, -1))
    : locatePath(doc, lineCounter, issue.path, issue.target);
  const node = nodeAt(doc, issue.path);
  const message = issue.keyword === 'type' || issue.keyword === 'enum' ? typeMessage(issue.message, node, schemaAt(issue.path)) : issue.message;
  const fallback = issue.fallbackPath && node === undefined && nodeAt(doc, issue.fallbackPath) !== undefined
    ? locatePath(doc, lineCounter, issue.fallbackPath) : undefined;
  return { file, ...(fallback ?? position), path: formatPath(issue.path), message };
}

/** The first alias (*name) in the document, for pointing at an alias bomb. */
function firstAlias(doc: Document.Parsed): { offset: number; path: string } | undefined {
  let found: { offset: number; path: string } | undefined;
  visit(doc, {
    Alias(_key, node, ancestors) {
      const keys = ancestors.flatMap((a) => (isPair(a) && isScalar(a.key) ? [String(a.key.value)] : []));
      found = { offset: node.range?.[0] ?? 0, path: formatPath(keys) };
      return visit.BREAK;
    },
  });
  return found;
}

function duplicateNameIssues(specs: readonly LoadedSpec[]): SpecIssue[] {
  const first = new Map<string, LoadedSpec>();
  const issues: SpecIssue[] = [];
  for (const spec of specs) {
    const name = spec.object.metadata.name;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, spec);
    else issues.push({ file: spec.file, ...spec.namePosition, path: 'metadata.name', message: `"${name}" is defined twice in this file (first at line ${earlier.namePosition.line})` });
  }
  return issues;
}

function yamlErrorMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear once in a mapping';
  if (code === 'RESOURCE_EXHAUSTION') return `the YAML is too deeply nested or too large to read (${message.split('\n')[0]})`;
  return `YAML syntax: ${message.split('\n')[0]}`;
}

function failure(issues: SpecIssue[]): ParseResult {
  return { ok: false, issues: issues.map(printableIssue).sort(compareIssues) };
}
