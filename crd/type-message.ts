// "must be a string" says what is wanted; these messages also say what was found, and how to
// write it: `replicas: yes` -> must be a whole number, not the text "yes".
import { isMap, isScalar, isSeq } from 'yaml';

const MAX_SHOWN = 40;

/** `base` ("must be a string") completed with what the YAML node holds. */
export function typeMessage(base: string, node: unknown): string {
  if (isMap(node)) return `${base}, not a mapping`;
  if (isSeq(node)) return `${base}, not a list`;
  if (!isScalar(node)) return base;
  const value = node.value;
  const source = typeof node.source === 'string' ? node.source : String(value);
  if (value === null || value === undefined) return `${base}, but the value is empty`;
  if (typeof value === 'string') return `${base}, not the text ${shown(value)}`;
  if (base === 'must be a string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `${base}; write it in quotes: ${shown(source)}`;
  }
  return `${base}, not ${shown(source, false)}`;
}

/** The value as it may be printed: quoted, escaped (no newline reaches the terminal), shortened. */
function shown(text: string, quote = true): string {
  const short = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
  const escaped = JSON.stringify(short);
  return quote ? escaped : escaped.slice(1, -1);
}
