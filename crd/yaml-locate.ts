// Finds where a field path stands in a parsed YAML document, for error positions.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './spec-issue.js';

export interface Position { line: number; col: number }

export type LocateTarget = 'value' | 'key';

/**
 * Position of the field at `path`: its key when target is 'key' (unknown fields), else its value.
 * When the path is not fully present (a missing field), the deepest key that exists.
 */
export function locatePath(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[], target: LocateTarget = 'value'): Position {
  let node: unknown = doc.contents;
  let best: [number, number] | undefined = rangeOf(node);
  for (let i = 0; i < path.length; i++) {
    node = resolve(doc, node);
    const segment = path[i];
    let next: unknown;
    let keyRange: [number, number] | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(segment));
      if (!pair) break;
      keyRange = rangeOf(pair.key);
      next = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) break;
    } else {
      break;
    }
    const last = i === path.length - 1;
    if (last && target === 'key' && keyRange) return toPosition(lineCounter, keyRange[0]);
    best = (next === null || next === undefined ? keyRange : rangeOf(next) ?? keyRange) ?? best;
    if (!last && keyRange && !(isMap(resolve(doc, next)) || isSeq(resolve(doc, next)))) {
      best = rangeOf(next) ?? keyRange;
    }
    node = next;
  }
  return toPosition(lineCounter, best?.[0] ?? 0);
}

/** Position of a missing field's parent key (e.g. `spec:` for spec.image is required). */
export function locateParentKey(doc: Document, lineCounter: LineCounter, parentPath: readonly PathSegment[]): Position {
  if (parentPath.length === 0) return toPosition(lineCounter, rangeOf(doc.contents)?.[0] ?? 0);
  return locatePath(doc, lineCounter, parentPath, 'key');
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

export function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

/** The YAML node at `path` (aliases resolved), or undefined when the path is not present. */
export function nodeAt(doc: Document, path: readonly PathSegment[]): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    node = resolve(doc, node);
    if (isMap(node)) {
      node = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(segment))?.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return resolve(doc, node);
}
