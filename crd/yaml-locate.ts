// Finds where a field path stands in a parsed YAML document, for error positions.
import { isAlias, isMap, isScalar, isSeq, visit, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './spec-issue.js';

export interface Position { line: number; col: number }

export type LocateTarget = 'value' | 'key';

/**
 * Position of the field at `path`: its key when target is 'key' (unknown fields), else its value
 * (or its key when the value is left empty). When the path is not fully present (a missing or
 * defaulted field), the deepest key that exists.
 */
export function locatePath(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[], target: LocateTarget = 'value'): Position {
  let node: unknown = doc.contents;
  let deepestKey = rangeOf(node)?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    node = resolve(doc, node);
    const segment = path[i];
    let next: unknown;
    let keyStart: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(segment));
      if (!pair) break;
      keyStart = rangeOf(pair.key)?.[0];
      next = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      next = node.items[segment];
    } else {
      break;
    }
    if (i === path.length - 1) {
      const empty = next === null || next === undefined || (isScalar(next) && next.value === null && next.source === '');
      const at = target === 'key' || empty ? keyStart ?? rangeOf(next)?.[0] : rangeOf(next)?.[0] ?? keyStart;
      return toPosition(lineCounter, at ?? deepestKey);
    }
    if (keyStart !== undefined) deepestKey = keyStart;
    node = next;
  }
  return toPosition(lineCounter, deepestKey);
}

function keyOf(key: unknown): unknown {
  if (!isScalar(key)) return key;
  return key.value === null || key.value === undefined ? '' : String(key.value);
}

/** Position of a missing field's parent key (e.g. `spec:` for spec.image is required). */
export function locateParentKey(doc: Document, lineCounter: LineCounter, parentPath: readonly PathSegment[]): Position {
  if (parentPath.length === 0) return toPosition(lineCounter, rangeOf(doc.contents)?.[0] ?? 0);
  return locatePath(doc, lineCounter, parentPath, 'key');
}

/** Per document: its aliases and anchored nodes in document order, found in one walk. */
const anchorsAndAliases = new WeakMap<Document, Node[]>();

/**
 * The node an alias stands for: the last node before it with its anchor (as Alias.resolve, which
 * walks the whole document on every call: 100 issues on a 1 MiB document took seconds).
 */
function resolve(doc: Document, node: unknown): unknown {
  if (!isAlias(node)) return node;
  let nodes = anchorsAndAliases.get(doc);
  if (nodes === undefined) {
    const found: Node[] = [];
    visit(doc, { Node: (_key, n) => { if (isAlias(n) || n.anchor) found.push(n); } });
    anchorsAndAliases.set(doc, (nodes = found));
  }
  let source: Node | undefined;
  for (const candidate of nodes) {
    if (candidate === node) break;
    if (!isAlias(candidate) && candidate.anchor === node.source) source = candidate;
  }
  return source;
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
      node = node.items.find((p) => keyOf(p.key) === String(segment))?.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return resolve(doc, node);
}

/** The path of the mapping key that starts at `offset` (where the parser reports a duplicate key). */
export function pathOfKeyAt(doc: Document, offset: number): PathSegment[] | undefined {
  const walk = (node: unknown, path: PathSegment[]): PathSegment[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const keyPath = [...path, String(keyOf(pair.key))];
        if (rangeOf(pair.key)?.[0] === offset) return keyPath;
        const found = walk(pair.value, keyPath);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}
