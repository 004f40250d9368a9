// Renders the golden cases (shared by the unit golden test and the haproxy -c integration test).
import { fileURLToPath } from 'node:url';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { renderServiceConfig } from '../../haproxy/render/render-service.js';
import { slotsFor } from '../../haproxy/render/slots.js';
import { GOLDEN_CASES } from './golden-cases.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TESTDATA = fileURLToPath(new URL('../../haproxy/render/testdata/', import.meta.url));

export function renderGoldenCases(): Array<{ golden: string; text: string }> {
  return GOLDEN_CASES.map((c) => {
    const spec = loadSpec(c.spec);
    const text = renderServiceConfig(spec, { ...c.context(spec.spec.replicas), slots: slotsFor(spec.spec.replicas) }).text;
    return { golden: c.golden, text };
  });
}
