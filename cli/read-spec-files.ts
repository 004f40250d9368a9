// Reads spec files named on the command line ("-" is standard input) and loads them.
import { readFileSync } from 'node:fs';
import { parseBalancedServices, MAX_SPEC_BYTES, type LoadedSpec } from '../crd/parse-spec.js';
import type { SpecIssue } from '../crd/spec-issue.js';

export interface LoadedFiles { specs: LoadedSpec[]; issues: SpecIssue[] }

export function loadSpecFiles(paths: readonly string[]): LoadedFiles {
  const specs: LoadedSpec[] = [];
  const issues: SpecIssue[] = [];
  for (const path of paths) {
    const file = path === '-' ? '<stdin>' : path;
    let text: string;
    try {
      text = readText(path);
    } catch (error) {
      issues.push({ file, line: 1, col: 1, path: '', message: `cannot be read: ${describeFsError(error)}` });
      continue;
    }
    const result = parseBalancedServices(text, file);
    if (result.ok) specs.push(...result.specs);
    else issues.push(...result.issues);
  }
  issues.push(...crossFileDuplicates(specs));
  return { specs, issues };
}

function readText(path: string): string {
  const buffer = readFileSync(path === '-' ? 0 : path);
  if (buffer.length > MAX_SPEC_BYTES) return buffer.toString('latin1'); // the loader reports the size
  const text = buffer.toString('utf8');
  if (text.includes('\uFFFD')) throw Object.assign(new Error('it is not UTF-8 text'), { code: 'EBADTEXT' });
  return text;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error).message;
}

function crossFileDuplicates(specs: readonly LoadedSpec[]): SpecIssue[] {
  const first = new Map<string, LoadedSpec>();
  const issues: SpecIssue[] = [];
  for (const spec of specs) {
    const key = `${spec.object.metadata.namespace ?? ''}/${spec.object.metadata.name}`;
    const earlier = first.get(key);
    if (!earlier) first.set(key, spec);
    else if (earlier.file !== spec.file) {
      issues.push({ file: spec.file, line: spec.line, col: 1, path: 'metadata.name', message: `"${spec.object.metadata.name}" is also defined in ${earlier.file}:${earlier.line}` });
    }
  }
  return issues;
}
