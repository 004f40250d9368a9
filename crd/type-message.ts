// "must be a string" says what is wanted; these messages also say what was found, and how to
// write it: `replicas: yes` -> must be a whole number, not the text "yes".
import { isMap, isScalar, isSeq } from 'yaml';
import type { SchemaNode } from './schema-lookup.js';
import { escapeUnprintable } from '../lib/printable-text.js';

const MAX_SHOWN = 40;

/**
 * `base` ("must be a string", "must be one of: cpu, memory, max") completed with what the YAML
 * node holds. A number or boolean in a text field gets a hint to quote it when the quoted text
 * would be valid, else the field's own description of what it wants.
 */
export function typeMessage(base: string, node: unknown, field: SchemaNode | undefined): string {
  const isEnum = Array.isArray(field?.enum);
  if (isMap(node)) return isEnum ? base : `${base}, not a mapping`;
  if (isSeq(node)) return isEnum ? base : `${base}, not a list`;
  if (!isScalar(node)) return base;
  const value = node.value;
  if (value === null || value === undefined) return `${base}, but the value is empty`;
  if (isEnum) return base;
  const source = typeof node.source === 'string' ? node.source : String(value);
  if (typeof value === 'string') return `${base}, not the text ${shown(value)}`;
  if (field?.type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    const pattern = typeof field.pattern === 'string' ? new RegExp(field.pattern, 'u') : undefined;
    if (!pattern || pattern.test(source)) return `${base}; write it in quotes: ${shown(source)}`;
    if (typeof field['x-message'] === 'string') return `${field['x-message']}, not ${shown(source, false)}`;
  }
  return `${base}, not ${shown(source, false)}`;
}

/** The value as it may be printed: quoted, escaped (no control character reaches the terminal), shortened. */
function shown(text: string, quote = true): string {
  const short = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
  const escaped = escapeUnprintable(JSON.stringify(short));
  return quote ? escaped : escaped.slice(1, -1);
}
