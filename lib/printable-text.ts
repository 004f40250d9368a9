// The one rule for text from a spec that reaches a terminal, a log or a JSON document: every
// character a terminal may act on, or that may hide or reorder what follows, is written as a
// visible escape instead (\u007f, the form JSON.stringify gives C0). Covered: C0 controls
// (U+0000-U+001F), DEL (U+007F), C1 controls (U+0080-U+009F, e.g. NEL U+0085 and CSI U+009B),
// the line and paragraph separators (U+2028, U+2029) and the bidirectional embeddings, overrides
// and isolates (U+202A-U+202E, U+2066-U+2069). Every other character is kept. Applying it twice
// changes nothing more.

/** Matches every character that escapeUnprintable rewrites. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

/** What JSON.stringify leaves raw of UNPRINTABLE (it escapes C0 in strings; its own newlines are layout). */
export const RAW_IN_JSON = /[\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;
export const asEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with each unprintable character as \uxxxx (lower-case hex, like JSON.stringify). */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, asEscape);
}

/**
 * JSON text of `value` (2-space indents) in which every character escapeUnprintable covers is a
 * \uxxxx escape: JSON.stringify escapes C0 but writes DEL, C1, the separators and the bidi
 * controls raw. A JSON parser reads back exactly `value`.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, asEscape);
}
