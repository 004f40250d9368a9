// How deeply a YAML text nests collections, found by one cheap pass over the text before the
// YAML parser (whose composer recurses, and takes seconds on a megabyte of "[[[[") sees it.
// Counts flow collections ([ {) outside quotes and comments, and block collections by their
// indentation and compact indicators ("- - - x"). Text inside quoted strings, comments and
// block scalars does not count, so a valid spec with brackets in a string is never refused.

export interface NestingExcess {
  /** 1-based line and column where the nesting first passes the limit. */
  line: number;
  col: number;
}

interface State {
  /** Columns of the open block collections, increasing. */
  blocks: number[];
  flow: number;
  quote: '' | '"' | "'";
  /** While inside a block scalar (| or >): the indentation of the line that opened it. */
  blockScalarParent: number | undefined;
}

/** Where the nesting of `text` first exceeds `max` levels, or undefined when it never does. */
export function findExcessiveNesting(text: string, max: number): NestingExcess | undefined {
  const state: State = { blocks: [], flow: 0, quote: '', blockScalarParent: undefined };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const col = scanLine(lines[index]!.replace(/\r$/, ''), state, max);
    if (col !== undefined) return { line: index + 1, col: col + 1 };
  }
  return undefined;
}

/** Returns the 0-based column where the depth passes `max` on this line, if it does. */
function scanLine(line: string, state: State, max: number): number | undefined {
  const indent = line.length - line.replace(/^ */, '').length;
  const blank = /^\s*(#.*)?$/.test(line);
  if (state.blockScalarParent !== undefined) {
    if (blank || indent > state.blockScalarParent) return undefined;
    state.blockScalarParent = undefined;
  }
  let pos = 0;
  if (state.quote === '' && state.flow === 0) {
    if (blank) return undefined;
    if (/^(---|\.\.\.)(\s|$)/.test(line)) {
      state.blocks = [];
      pos = 3;
    } else {
      while (state.blocks.length > 0 && state.blocks[state.blocks.length - 1]! > indent) state.blocks.pop();
      pos = indent;
      // Each "- " or "? " opens a collection at its column; a "key:" opens a mapping at its column.
      for (;;) {
        const indicator = (line[pos] === '-' || line[pos] === '?') && isSpaceOrEnd(line, pos + 1);
        if (indicator || looksLikeKey(line, pos)) openBlock(state, pos);
        if (state.blocks.length + state.flow > max) return pos;
        if (!indicator) break;
        pos = nextNonSpace(line, pos + 1);
      }
    }
  }
  return scanInline(line, pos, state, max, indent);
}

/** Scans quotes, flow brackets and comments from `start`; notes a block scalar header. */
function scanInline(line: string, start: number, state: State, max: number, indent: number): number | undefined {
  let atValueStart = true;
  for (let i = start; i < line.length; i++) {
    const c = line[i]!;
    if (state.quote === "'") {
      if (c === "'" && line[i + 1] === "'") i++;
      else if (c === "'") { state.quote = ''; atValueStart = false; }
      continue;
    }
    if (state.quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') { state.quote = ''; atValueStart = false; }
      continue;
    }
    if (c === ' ' || c === '\t') continue;
    if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return undefined;
    if (atValueStart && (c === '"' || c === "'")) { state.quote = c; continue; }
    if (atValueStart && (c === '[' || c === '{')) {
      state.flow++;
      if (state.blocks.length + state.flow > max) return i;
      continue;
    }
    if (state.flow > 0 && (c === ']' || c === '}')) { state.flow--; atValueStart = false; continue; }
    if (state.flow > 0 && c === ',') { atValueStart = true; continue; }
    // "key: value", and in flow collections also JSON's "key":"value".
    if (c === ':' && (state.flow > 0 || i + 1 === line.length || /[\s,[\]{}]/.test(line[i + 1]!))) { atValueStart = true; continue; }
    if (atValueStart && (c === '&' || c === '!')) { i = skipToken(line, i); continue; }
    if (atValueStart && state.flow === 0 && (c === '|' || c === '>') && /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i))) {
      state.blockScalarParent = indent;
      return undefined;
    }
    atValueStart = false;
  }
  return undefined;
}

function openBlock(state: State, col: number): void {
  const top = state.blocks[state.blocks.length - 1];
  if (top === undefined || top < col) state.blocks.push(col);
}

/** A plain or quoted key followed by ":" and a space or the line's end: a mapping entry. Linear. */
function looksLikeKey(line: string, from: number): boolean {
  let i = from;
  const first = line[i];
  if (first === undefined || '#[]{},'.includes(first) || first === ' ' || first === '\t') return false;
  if (first === '"' || first === "'") {
    for (i++; i < line.length; i++) {
      if (first === '"' && line[i] === '\\') i++;
      else if (line[i] === first && first === "'" && line[i + 1] === "'") i++;
      else if (line[i] === first) break;
    }
    i = nextNonSpace(line, i + 1);
    return line[i] === ':' && isSpaceOrEnd(line, i + 1);
  }
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '#' && (line[i - 1] === ' ' || line[i - 1] === '\t')) return false;
    if (c === ':' && isSpaceOrEnd(line, i + 1)) return true;
  }
  return false;
}

function isSpaceOrEnd(line: string, i: number): boolean {
  return i >= line.length || line[i] === ' ' || line[i] === '\t';
}

function nextNonSpace(line: string, from: number): number {
  let i = from;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

/** Skips an anchor (&a) or tag (!t) token, returning the index of its last character. */
function skipToken(line: string, from: number): number {
  let i = from;
  while (i + 1 < line.length && !/[\s,[\]{}]/.test(line[i + 1]!)) i++;
  return i;
}
