// Reading cgroup interface files: small text files of one number, one `key value` per line,
// or a CPU list such as 0-3,8. Parsers are exported for tests; readers throw ProbeError.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}

/** A cgroup v1 limit this large means "no limit" (the kernel stores PAGE_COUNTER_MAX pages). */
export const UNLIMITED_BYTES = 2 ** 60;

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProbeError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

export function parseInteger(text: string, path: string): number {
  const trimmed = text.trim();
  if (!/^-?[0-9]+$/.test(trimmed)) throw new ProbeError(`${path}: expected an integer, got ${JSON.stringify(trimmed.slice(0, 40))}`);
  return Number(trimmed);
}

export function readInteger(path: string): number {
  return parseInteger(readText(path), path);
}

/** `key value` lines (memory.stat, cpu.stat) into a map; other lines are skipped. */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+(-?[0-9]+)\s*$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

export function readKeyValue(path: string, key: string): number {
  const value = parseKeyValues(readText(path)).get(key);
  if (value === undefined) throw new ProbeError(`${path}: no ${key} line`);
  return value;
}

/** Number of CPUs in a list like `0-3,8,10-11`; undefined when empty or malformed. */
export function countCpuList(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let count = 0;
  for (const part of trimmed.split(',')) {
    const match = /^([0-9]+)(?:-([0-9]+))?$/.exec(part.trim());
    if (!match) return undefined;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return undefined;
    count += last - first + 1;
  }
  return count;
}

/** The first of the candidate paths (relative to root) that exists, as an absolute path. */
export function findFile(root: string, candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    const path = join(root, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** CPUs in the first readable CPU list among the candidates. */
export function readCpuCount(root: string, candidates: readonly string[]): number | undefined {
  for (const candidate of candidates) {
    const path = join(root, candidate);
    if (!existsSync(path)) continue;
    const count = countCpuList(readText(path));
    if (count !== undefined) return count;
  }
  return undefined;
}
