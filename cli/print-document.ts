// One JSON or YAML document on stdout, with every character a terminal may act on escaped
// (lib/printable-text.ts): what -o json and -o yaml print on every verb. JSON uses JSON's own
// \u escapes (a parser reads back the exact value); YAML shows them as text, as the text output does.
import { escapeUnprintable, printableJson } from '../lib/printable-text.js';
import type { CliContext } from './context.js';

export async function printDocument(ctx: CliContext, format: 'json' | 'yaml', value: unknown): Promise<void> {
  if (format === 'json') {
    ctx.stdout(printableJson(value));
    return;
  }
  const { stringify } = await import('yaml');
  ctx.stdout(stringify(escapedStrings(value)).trimEnd());
}

function escapedStrings(value: unknown): unknown {
  if (typeof value === 'string') return escapeUnprintable(value);
  if (Array.isArray(value)) return value.map(escapedStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeUnprintable(k), escapedStrings(v)]));
  }
  return value;
}
