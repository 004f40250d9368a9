// A spec file of this checkout (examples/, haproxy/render/testdata/), read through the product's
// loader: the typed object with every default, or an error naming the file and its issues.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBalancedServices } from '../../../crd/parse-spec.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The first BalancedService of `relativePath` (relative to the checkout's root). */
export function loadSpec(relativePath: string) {
  const result = parseBalancedServices(readFileSync(ROOT + relativePath, 'utf8'), relativePath);
  if (!result.ok) throw new Error(`${relativePath} is invalid: ${JSON.stringify(result.issues)}`);
  return result.specs[0]!.object;
}
