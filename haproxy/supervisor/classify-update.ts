// Decides how a new config is applied: noop (same bytes), runtime (only per-server weight or
// maxconn differ: set through the runtime API, no reload) or reload (anything else). Pure.
import { tokenizeConfig, type ConfigLine } from '../render/config-tokens.js';

export type UpdatePlan =
  | { kind: 'noop' }
  | { kind: 'runtime'; commands: string[]; reason: string }
  | { kind: 'reload'; reason: string };

/** Server keywords whose value the runtime API can change, and the command that does it. */
const RUNTIME_KEYWORDS: Record<string, (server: string, value: string) => string> = {
  weight: (server, value) => `set weight ${server} ${value}`,
  maxconn: (server, value) => `set maxconn server ${server} ${value}`,
};

export function classifyUpdate(current: string | undefined, next: string): UpdatePlan {
  if (current === next) return { kind: 'noop' };
  if (current === undefined) return { kind: 'reload', reason: 'no config applied yet' };
  const before = tokenizeConfig(current);
  const after = tokenizeConfig(next);
  if (before.length !== after.length) return { kind: 'reload', reason: `${describeCount(before.length, after.length)}` };
  const commands: string[] = [];
  const changed = new Set<string>();
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (sameTokens(a.tokens, b.tokens) && a.section === b.section) continue;
    const runtime = runtimeCommands(a, b);
    if (!runtime) return { kind: 'reload', reason: `${b.section}: "${clip(a.tokens.join(' '))}" -> "${clip(b.tokens.join(' '))}"` };
    commands.push(...runtime.commands);
    for (const keyword of runtime.keywords) changed.add(keyword);
  }
  // Same tokens everywhere: only comments or blanks changed. Nothing to do in HAProxy.
  if (commands.length === 0) return { kind: 'runtime', commands: [], reason: 'only comments or spacing changed' };
  return { kind: 'runtime', commands, reason: `server ${[...changed].sort().join(' and ')} changed` };
}

function runtimeCommands(a: ConfigLine, b: ConfigLine): { commands: string[]; keywords: string[] } | undefined {
  const kind = a.tokens[0];
  if ((kind !== 'server' && kind !== 'server-template') || b.tokens[0] !== kind || a.section !== b.section) return undefined;
  if (a.tokens.length !== b.tokens.length || !a.section.startsWith('backend ')) return undefined;
  const backend = a.section.split(' ')[1]!;
  const keywords: string[] = [];
  for (let j = 0; j < a.tokens.length; j++) {
    if (a.tokens[j] === b.tokens[j]) continue;
    const keyword = a.tokens[j - 1];
    if (j < 2 || keyword === undefined || keyword !== b.tokens[j - 1] || !(keyword in RUNTIME_KEYWORDS)) return undefined;
    if (!/^[0-9]{1,7}$/.test(b.tokens[j]!)) return undefined;
    keywords.push(keyword);
  }
  const servers = serverNames(a.tokens);
  if (!servers || !sameTokens(servers, serverNames(b.tokens) ?? [])) return undefined;
  const commands: string[] = [];
  for (const server of servers) {
    for (const keyword of keywords) {
      const at = b.tokens.indexOf(keyword, 2);
      commands.push(RUNTIME_KEYWORDS[keyword]!(`${backend}/${server}`, b.tokens[at + 1]!));
    }
  }
  return { commands, keywords };
}

/** `server NAME ...` or `server-template PREFIX COUNT|FIRST-LAST ...`. */
function serverNames(tokens: readonly string[]): string[] | undefined {
  const name = tokens[1];
  if (name === undefined) return undefined;
  if (tokens[0] === 'server') return [name];
  const range = /^(?:([0-9]+)-)?([0-9]+)$/.exec(tokens[2] ?? '');
  if (!range) return undefined;
  const first = range[1] === undefined ? 1 : Number(range[1]);
  const last = Number(range[2]);
  if (last < first || last - first > 100_000) return undefined;
  return Array.from({ length: last - first + 1 }, (_, i) => `${name}${first + i}`);
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function describeCount(before: number, after: number): string {
  return `the number of directives changed (${before} -> ${after})`;
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
