// Reads spec files named on the command line ("-" is standard input, a folder its .yaml, .yml and
// .json files, its subfolders too with -R) and loads them. Reads at most one byte more than a
// spec file may have, so a huge file or stream is refused quickly.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseBalancedServices, sizeIssue, MAX_SPEC_BYTES, type LoadedSpec } from '../crd/parse-spec.js';
import { printableIssue, type SpecIssue } from '../crd/spec-issue.js';

export interface LoadedFiles { specs: LoadedSpec[]; issues: SpecIssue[] }

export const STDIN_NAME = '<stdin>';

const SPEC_FILE = /\.(ya?ml|json)$/;

/**
 * The files `paths` name, in order: a file as given, "-" as it is, a folder's spec files
 * (.yaml, .yml, .json) sorted by name, and with `recursive` those of its subfolders too (like
 * kubectl -f DIR -R). A folder with none is an issue; so is a path that does not exist.
 */
export function expandSpecPaths(paths: readonly string[], recursive = false): { files: string[]; issues: SpecIssue[] } {
  const files: string[] = [];
  const issues: SpecIssue[] = [];
  for (const path of paths) {
    if (path === '-') { files.push(path); continue; }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      issues.push({ file: path, line: 1, col: 1, path: '', message: `cannot be read: ${describeFsError(error)}` });
      continue;
    }
    if (!isDirectory) { files.push(path); continue; }
    const found = specFilesIn(path, recursive);
    if (found.length === 0) {
      issues.push({ file: path, line: 1, col: 1, path: '', message: `holds no .yaml, .yml or .json file${recursive ? '' : ' (-R reads its subfolders too)'}` });
    }
    files.push(...found);
  }
  return { files, issues: issues.map(printableIssue) };
}

function specFilesIn(dir: string, recursive: boolean): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return recursive ? specFilesIn(path, true) : [];
    return SPEC_FILE.test(entry.name) ? [path] : [];
  });
}

/** Loads every spec of `paths` (expanded as expandSpecPaths does); issues of every file at once. */
export function loadSpecFiles(paths: readonly string[], readStdin: () => Buffer = () => readBounded(0), recursive = false): LoadedFiles {
  const expanded = expandSpecPaths(paths, recursive);
  const loaded = loadFiles(expanded.files, readStdin);
  return { specs: loaded.specs, issues: [...expanded.issues, ...loaded.issues] };
}

function loadFiles(paths: readonly string[], readStdin: () => Buffer): LoadedFiles {
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
