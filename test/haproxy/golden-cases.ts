// The golden cases: which spec, rendered with which context, gives which file in this folder.
import type { RenderContext } from '../../haproxy/render/context.js';

export interface GoldenCase {
  /** File in haproxy/render/testdata/. */
  golden: string;
  /** Spec file, relative to the repository root. */
  spec: string;
  context: (replicas: number) => Omit<RenderContext, 'slots'>;
}

export const GOLDEN_CASES: GoldenCase[] = [
  { golden: 'hello.swarm.cfg', spec: 'examples/hello.yaml', context: () => ({ discovery: { kind: 'swarm' } }) },
  { golden: 'hello.kubernetes.cfg', spec: 'examples/hello.yaml', context: () => ({ discovery: { kind: 'kubernetes', namespace: 'default' } }) },
  { golden: 'tuned.swarm.cfg', spec: 'haproxy/render/testdata/tuned.yaml', context: () => ({ discovery: { kind: 'swarm' } }) },
  { golden: 'big.kubernetes.cfg', spec: 'haproxy/render/testdata/big.yaml', context: () => ({ discovery: { kind: 'kubernetes', namespace: 'batch', clusterDomain: 'example.internal' } }) },
];
