// Memory sizes in specs: 256Mi, 1Gi, 512M, 1000000 (bytes), as Kubernetes quantities.

const UNIT_BYTES: Record<string, number> = {
  '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};
const SIZE = /^([1-9][0-9]{0,12})(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/;

/** Bytes in a size string, or undefined when it is not one. */
export function parseMemory(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_BYTES[match[2] ?? '']!;
}

export function memoryBytes(text: string): number {
  const bytes = parseMemory(text);
  if (bytes === undefined) throw new TypeError(`not a memory size: ${JSON.stringify(text)}`);
  return bytes;
}
