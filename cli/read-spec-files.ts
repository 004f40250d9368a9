// Reads spec files named on the command line ("-" is standard input) and loads them. Reads at
// most one byte more than a spec file may have, so a huge file or stream is refused quickly.
import { closeSync, openSync, readSync } from 'node:fs';
import { parseBalancedServices, sizeIssue, MAX_SPEC_BYTES, type LoadedSpec } from '../crd/parse-spec.js';
import { printableIssue, type SpecIssue } from '../crd/spec-issue.js';

export interface LoadedFiles { specs: LoadedSpec[]; issues: SpecIssue[] }

export const STDIN_NAME = '<stdin>';

export function loadSpecFiles(paths: readonly string[], readStdin: () => Buffer = () => readBounded(0)): LoadedFiles {
  const specs: LoadedSpec[] = [];
  const issues: SpecIssue[] = [];
  for (const path of paths) {
    const file = path === '-' ? STDIN_NAME : path;
    let buffer: Buffer;
    try {
      buffer = path === '-' ? readStdin() : readFile(path);
    } catch (error) {
      issues.push({ file, line: 1, col: 1, path: '', message: `cannot be read: ${describeFsError(error)}` });
      continue;
    }
    if (buffer.length > MAX_SPEC_BYTES) {
      issues.push(sizeIssue(file, `is more than ${MAX_SPEC_BYTES} bytes`));
      continue;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    } catch {
      issues.push({ file, line: 1, col: 1, path: '', message: 'is not UTF-8 text' });
      continue;
    }
    const result = parseBalancedServices(text, file);
    if (result.ok) specs.push(...result.specs);
    else issues.push(...result.issues);
  }
  issues.push(...crossFileDuplicates(specs));
  return { specs, issues: issues.map(printableIssue) };
}

function readFile(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    return readBounded(fd);
  } finally {
    closeSync(fd);
  }
}

/** Up to MAX_SPEC_BYTES + 1 bytes of `fd`: enough to tell that a file is too large. */
function readBounded(fd: number): Buffer {
  const buffer = Buffer.alloc(MAX_SPEC_BYTES + 1);
  let length = 0;
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, buffer, length, buffer.length - length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') { pause(10); continue; } // a non-blocking stdin not ready yet
      if ((error as NodeJS.ErrnoException).code === 'EOF') break;
      throw error;
    }
    if (read === 0) break;
    length += read;
    if (length === buffer.length) break;
  }
  return buffer.subarray(0, length);
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error).message;
}

/** The same name in two files: both would be the same BalancedService (namespaces are ignored on Swarm). */
function crossFileDuplicates(specs: readonly LoadedSpec[]): SpecIssue[] {
  const first = new Map<string, LoadedSpec>();
  const issues: SpecIssue[] = [];
  for (const spec of specs) {
    const name = spec.object.metadata.name;
    const earlier = first.get(name);
    if (!earlier) first.set(name, spec);
    else if (earlier.file !== spec.file) {
      issues.push({
        file: spec.file, ...spec.namePosition, path: 'metadata.name',
        message: `"${name}" is also defined in ${earlier.file}:${earlier.namePosition.line}`,
      });
    }
  }
  return issues;
}
