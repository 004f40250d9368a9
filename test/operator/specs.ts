// Real specs for operator tests, loaded through the real loader (defaults filled in).
import { readFileSync } from 'node:fs';
import { parseBalancedServices } from '../../crd/parse-spec.js';
import type { BalancedService } from '../../crd/types.generated.js';

export function loadExample(mutate: (text: string) => string = (t) => t): BalancedService {
  const text = mutate(readFileSync(new URL('../../examples/hello.yaml', import.meta.url), 'utf8'));
  const result = parseBalancedServices(text, 'hello.yaml');
  if (!result.ok) throw new Error(`example invalid: ${JSON.stringify(result.issues)}`);
  return result.specs[0]!.object;
}

export const CONTROL = { operatorUrl: 'http://172.18.0.1:9464', tokenConfig: 'bso-operator-token', controlNetwork: 'bso-control' };
