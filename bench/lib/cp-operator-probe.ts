// Child process of scenario 8: the operator's reconciler on an in-memory backend with N specs.
// Prints one JSON line: render time, first and unchanged reconcile times, memory before and after.
// Also writes the N configs merged into one file (for the parent's `haproxy -c`).
// Usage: node --expose-gc --import tsx bench/lib/cp-operator-probe.ts SPECS REPLICAS MERGED_FILE
import { writeFileSync } from 'node:fs';
import type { BalancedService } from '../../crd/types.generated.js';
import { renderServiceConfig } from '../../haproxy/render/render-service.js';
import { slotsFor } from '../../haproxy/render/slots.js';
import { loadSpec } from './loopback/spec-file.js';
import { OperatorMetrics } from '../../operator/metrics.js';
import { Reconciler } from '../../operator/reconciler.js';
import { configRenderer } from '../../operator/render-for-operator.js';
import { MemoryBackend } from './cp-memory-backend.js';
import { mergeConfigs } from './cp-merge-configs.js';
import { median } from './cp-stats.js';

export interface ProbeResult {
  specs: number;
  replicas: number;
  /** Rendering every spec's config once (model + text + hash): the fastest of three passes. */
  renderMs: number;
  /** The first reconcile of every spec (creates everything). */
  firstReconcileMs: number;
  /** Reconciling every spec again, nothing changed. */
  unchangedAllMs: number;
  /** One unchanged spec, median of several reconciles. */
  unchangedOneMs: number;
  /** Writes during the unchanged pass (must be 0). */
  unchangedWrites: number;
  baseline: { rss: number; heapUsed: number };
  loaded: { rss: number; heapUsed: number };
  configBytes: number;
}

function memory(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

export function specsFor(count: number, replicas: number): BalancedService[] {
  const base = loadSpec('examples/hello.yaml');
  return Array.from({ length: count }, (_, i) => {
    const spec = structuredClone(base);
    spec.metadata.name = `bench-${String(i).padStart(5, '0')}`;
    spec.spec.replicas = replicas;
    spec.spec.haproxy.port = 20_000 + 2 * i;
    spec.spec.haproxy.statsPort = 20_001 + 2 * i;
    return spec;
  });
}

async function probe(count: number, replicas: number, mergedFile: string): Promise<ProbeResult> {
  const specs = specsFor(count, replicas);
  const render = () => specs.map((s) => renderServiceConfig(s, { discovery: { kind: 'swarm' }, slots: slotsFor(replicas) }).text);
  // A first pass warms the code paths (the JIT), as in a running operator; then the fastest of
  // three timed passes (the machine is shared: the minimum is the least disturbed).
  render();
  const baseline = memory();
  let renderMs = Infinity;
  let texts: string[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now();
    texts = render();
    renderMs = Math.min(renderMs, performance.now() - started);
  }
  writeFileSync(mergedFile, mergeConfigs(texts));
  const configBytes = texts.reduce((n, text) => n + text.length, 0);
  texts.length = 0;

  const backend = new MemoryBackend();
  for (const spec of specs) await backend.putSpec(spec);
  const control = await backend.ensureControlPlane('http://127.0.0.1:9464');
  const reconciler = new Reconciler({ backend, control, metrics: new OperatorMetrics(), renderConfig: configRenderer({ kind: 'swarm' }) });
  const names = specs.map((s) => s.metadata.name);
  let t = performance.now();
  for (const name of names) await reconciler.reconcile(name);
  const firstReconcileMs = performance.now() - t;
  // What the supervisors would report: every replica UP (statuses hold them).
  for (const name of names) {
    reconciler.report(name, {
      configHash: reconciler.configs.get(name)?.hash, lastOutcome: 'reload',
      servers: Array.from({ length: replicas }, (_, i) => ({ name: `replica${i + 1}`, address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`, state: 'UP', weight: 100 })),
    });
  }
  // Warm the JIT alike for every size: 200 reconciles (at most 2 s of them) before timing, as in
  // a running operator.
  const warmUntil = performance.now() + 2000;
  for (let i = 0; i < 200 && performance.now() < warmUntil; i++) await reconciler.reconcile(names[i % names.length]!);
  const writesBefore = backend.writes;
  t = performance.now();
  for (const name of names) await reconciler.reconcile(name);
  const unchangedAllMs = performance.now() - t;
  const unchangedWrites = backend.writes - writesBefore;
  const one: number[] = [];
  for (let i = 0; i < 21; i++) {
    const name = names[(i * 7919) % names.length]!;
    const started = performance.now();
    await reconciler.reconcile(name);
    one.push(performance.now() - started);
  }
  const loaded = memory();
  // Keep the reconciler alive until measured.
  if (reconciler.configs.size !== count) throw new Error(`expected ${count} configs, have ${reconciler.configs.size}`);
  return { specs: count, replicas, renderMs, firstReconcileMs, unchangedAllMs, unchangedOneMs: median(one), unchangedWrites, baseline, loaded, configBytes };
}

const [countText, replicasText, mergedFile] = process.argv.slice(2);
if (countText && replicasText && mergedFile) {
  const result = await probe(Number(countText), Number(replicasText), mergedFile);
  process.stdout.write(`BSO-PROBE ${JSON.stringify(result)}\n`);
}
