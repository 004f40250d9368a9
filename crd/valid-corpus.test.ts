// Specs in crd/testdata/valid/ and examples/ must load, with every default filled in and every
// written value kept exactly as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseBalancedServices, type LoadedSpec } from './parse-spec.js';
import { formatIssue } from './spec-issue.js';
import { balancedServiceSchema } from './schema.js';
import { inlineRefs } from './derive-schemas.js';

const VALID = new URL('./testdata/valid/', import.meta.url);

function load(url: URL, name: string): LoadedSpec[] {
  const result = parseBalancedServices(readFileSync(url, 'utf8'), name);
  assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
  return result.specs;
}

for (const name of readdirSync(VALID).filter((n) => n.endsWith('.yaml')).sort()) {
  test(`valid/${name} loads`, () => {
    assert.ok(load(new URL(name, VALID), name).length > 0);
  });
}

test('a spec with only a name and an image gets every default', () => {
  const [spec] = load(new URL('minimal.yaml', VALID), 'minimal.yaml');
  assert.deepEqual(spec!.object, {
    apiVersion: 'bso.dev/v1alpha1',
    kind: 'BalancedService',
    metadata: { name: 'minimal' },
    spec: {
      image: 'bso-hello-api:latest',
      replicas: 2,
      port: 8080,
      resources: { cpus: 0.5, memory: '256Mi' },
      rollout: { maxSurge: 1, maxUnavailable: 0 },
      healthCheck: { path: '/healthz', interval: '2s', fall: 3, rise: 2 },
      agent: {
        port: 9999, interval: '500ms', metric: 'cpu', thresholds: { maint: 80, ready: 60 },
        sampleInterval: '250ms', smoothing: '1s', minMaintTime: '5s', weighting: 'proportional',
      },
      haproxy: {
        image: 'bso-haproxy:latest', replicas: 1, port: 80, statsPort: 8404, balance: 'random', maxconnPerServer: 100,
        slowstart: '1s', panicThreshold: 50, retries: 2, timeouts: { connect: '5s', client: '30s', server: '30s', queue: '750ms' },
      },
    },
  });
});

test('every default the schema declares is the value a minimal spec gets', () => {
  const [spec] = load(new URL('minimal.yaml', VALID), 'minimal.yaml');
  const defaults = scalarDefaults(inlineRefs(balancedServiceSchema), []);
  assert.ok(defaults.length >= 25, `only ${defaults.length} defaults found`);
  for (const [path, value] of defaults) assert.deepEqual(valueAt(spec!.object, path), value, path.join('.'));
});

test('examples/hello.yaml is valid and means what the issue says', () => {
  const [spec] = load(new URL('../examples/hello.yaml', import.meta.url), 'hello.yaml');
  const { spec: s } = spec!.object;
  assert.equal(spec!.object.metadata.name, 'hello');
  assert.deepEqual(
    [s.image, s.replicas, s.port, s.resources.cpus, s.resources.memory, s.agent.port, s.agent.interval, s.agent.metric,
      s.agent.thresholds.maint, s.agent.thresholds.ready, s.haproxy.port, s.haproxy.statsPort, s.haproxy.balance],
    ['bso-hello-api:latest', 2, 8080, 0.5, '256Mi', 9999, '500ms', 'cpu', 80, 60, 80, 8404, 'random'],
  );
});

test('a file with several documents yields each spec, with its index and line, and skips empty documents', () => {
  const specs = load(new URL('multi-document.yaml', VALID), 'multi-document.yaml');
  assert.deepEqual(specs.map((s) => [s.object.metadata.name, s.index, s.line, s.namePosition.line]), [
    ['first', 0, 2, 5],
    ['second', 2, 11, 14],
    ['third', 3, 20, 20],
  ]);
  assert.equal(specs[1]!.object.spec.replicas, 3);
  assert.equal(specs[2]!.object.spec.port, 9000);
  assert.equal(specs[2]!.object.spec.replicas, 2);
});

test('YAML 1.2: yes, no, on, off, 22:22 and quoted numbers stay text as written', () => {
  const [spec] = load(new URL('yaml-1-2-text.yaml', VALID), 'yaml-1-2-text.yaml');
  const { metadata, spec: s } = spec!.object;
  assert.equal(metadata.name, 'no');
  assert.deepEqual(metadata.labels, { enabled: 'yes', mode: 'off', 1: 'one' });
  assert.deepEqual(s.env, { ANSWER: 'no', SWITCH: 'on', TIME: '22:22', MODE: '0777', OCTAL: '0777', HEX: '0x1F', EXP: '1e3', TILDE: '~' });
  assert.match(metadata.annotations?.brackets ?? '', /^\[{65,}\]$/);
  assert.equal(metadata.annotations?.note, 'folded text with spaces, a # that is not a comment and (parentheses) and {braces}');
});

test('a spec that sets every field keeps every value (no default overrides a written value)', () => {
  const url = new URL('every-field.yaml', VALID);
  const [spec] = load(url, 'every-field.yaml');
  assert.deepEqual(spec!.object, parse(readFileSync(url, 'utf8')));
  const written = scalarDefaults(inlineRefs(balancedServiceSchema), []);
  for (const [path, dflt] of written) assert.notDeepEqual(valueAt(spec!.object, path), dflt, `${path.join('.')} is left at its default`);
});

/** [path, default] for every field whose default is not an object. */
function scalarDefaults(node: Record<string, unknown>, path: string[]): Array<[string[], unknown]> {
  const out: Array<[string[], unknown]> = [];
  if ('default' in node && (typeof node.default !== 'object' || node.default === null)) out.push([path, node.default]);
  const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
  if (!properties || path[0] === 'status') return out;
  for (const [name, sub] of Object.entries(properties)) out.push(...scalarDefaults(sub, [...path, name]));
  return out;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}
