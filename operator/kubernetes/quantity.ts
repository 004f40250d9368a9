// Kubernetes resource quantities both ways. The API server rewrites quantities to a canonical
// form ("1000m" -> "1", "268435456" -> "256Mi"), so reading back must accept every form.

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The value of a quantity in base units (cores, bytes), or undefined when it is not one. */
export function parseQuantity(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return text;
  if (text === undefined) return undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const exponent = match[2] ? 10 ** Number(match[2].slice(1)) : 1;
  return Number(match[1]) * exponent * SUFFIX[match[3] ?? '']!;
}

/** Nano-CPUs as a CPU quantity: millicores when exact (Kubernetes' own resolution). */
export function cpuQuantity(nanoCpus: number): string {
  return nanoCpus % 1e6 === 0 ? `${nanoCpus / 1e6}m` : `${nanoCpus}n`;
}

export function nanoCpusOf(quantity: string | number | undefined): number | undefined {
  const cores = parseQuantity(quantity);
  return cores === undefined || cores === 0 ? undefined : Math.round(cores * 1e9);
}

export function memoryQuantity(bytes: number): string {
  return String(bytes);
}

export function bytesOf(quantity: string | number | undefined): number | undefined {
  const bytes = parseQuantity(quantity);
  return bytes === undefined || bytes === 0 ? undefined : Math.round(bytes);
}
