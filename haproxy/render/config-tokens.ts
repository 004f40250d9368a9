// Splits HAProxy configuration text into lines of tokens the way HAProxy reads it: blanks
// separate words, '#' starts a comment, quotes and backslashes protect. Comment-only and empty
// lines are dropped. Used to compare configs by structure (tests, the supervisor's classifier).

export interface ConfigLine {
  /** 1-based line number in the text. */
  line: number;
  /** Words as written (quotes kept), so that joining them gives back the directive. */
  tokens: string[];
  /** The section the line belongs to, as its header tokens joined by a space (the header itself included). */
  section: string;
}

const SECTION_KEYWORDS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'userlist', 'peers', 'mailers', 'program', 'http-errors', 'ring', 'cache']);

export function tokenizeConfig(text: string): ConfigLine[] {
  const lines: ConfigLine[] = [];
  let section = '';
  text.split('\n').forEach((raw, index) => {
    const tokens = tokenizeLine(raw);
    if (tokens.length === 0) return;
    if (SECTION_KEYWORDS.has(tokens[0]!)) section = tokens.join(' ');
    lines.push({ line: index + 1, tokens, section });
  });
  return lines;
}

export function tokenizeLine(raw: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inToken = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote) {
      current += c;
      if (c === '\\' && quote === '"' && i + 1 < raw.length) current += raw[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#') break;
    if (c === ' ' || c === '\t' || c === '\r') {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      continue;
    }
    inToken = true;
    current += c;
    if (c === '\\' && i + 1 < raw.length) current += raw[++i];
    else if (c === '"' || c === "'") quote = c;
  }
  if (inToken) tokens.push(current);
  return tokens;
}
