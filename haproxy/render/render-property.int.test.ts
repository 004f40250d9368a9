// Property test: many random valid specs, each rendered config (1) has the same token structure
// as the baseline apart from values, so no spec value shapes the config, and (2) passes haproxy -c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBalancedServices } from '../../crd/parse-spec.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { checkHAProxyConfig } from '../supervisor/haproxy-check.js';
import { tokenizeConfig } from './config-tokens.js';
import type { Discovery } from './context.js';
import { renderServiceConfig } from './render-service.js';
import { slotsFor } from './slots.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { dnsLabel, randomSpecDocument, seededRandom, type Random } from '../../test/haproxy/random-spec.js';

const HAPROXY = process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy';
const SEED = Number(process.env.BSO_PROPERTY_SEED ?? 20261127);
const COUNT = Number(process.env.BSO_PROPERTY_COUNT ?? 120);
/** A value token; the panic rule's `nbsrv(<backend>)` wraps a name. */
const PLAIN_VALUE = /^(?:[A-Za-z0-9._~/:%,-]+|nbsrv\([a-z][-a-z0-9]*\))$/;

function validated(document: Record<string, unknown>): BalancedService {
  const result = parseBalancedServices(JSON.stringify(document), 'generated.json');
  if (!result.ok) throw new Error(`the generator made an invalid spec (seed ${SEED}): ${JSON.stringify(result.issues)}\n${JSON.stringify(document)}`);
  return result.specs[0]!.object;
}

/** A spec where every value differs from examples/hello.yaml's, so comparing the two finds every value position. */
const OTHER: Record<string, unknown> = {
  apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'zz-other9' },
  spec: {
    image: 'other:1', replicas: 40, port: 4321,
    healthCheck: { path: '/other/ready', interval: '7s', fall: 9, rise: 8 },
    agent: { port: 4322, interval: '3500ms' },
    haproxy: {
      port: 4400, statsPort: 4401, balance: 'roundrobin', maxconnPerServer: 7, slowstart: '9m', retries: 7,
      timeouts: { connect: '123ms', client: '4s', server: '2h', queue: '17s' },
    },
  },
};

function randomDiscovery(r: Random): Discovery {
  if (r() < 0.5) return { kind: 'swarm' };
  return r() < 0.5 ? { kind: 'kubernetes', namespace: dnsLabel(r, 63) } : { kind: 'kubernetes', namespace: dnsLabel(r, 20), clusterDomain: `${dnsLabel(r, 10)}.${dnsLabel(r, 10)}` };
}

const render = (spec: BalancedService, discovery: Discovery) => renderServiceConfig(spec, { discovery, slots: slotsFor(spec.spec.replicas) }).text;

/** Which token positions hold values: those where two very different specs render differently. */
function structureOf(discovery: Discovery) {
  const a = tokenizeConfig(render(loadSpec('examples/hello.yaml'), discovery));
  const b = tokenizeConfig(render(validated(OTHER), discovery.kind === 'swarm' ? discovery : { ...discovery, namespace: 'elsewhere' }));
  assert.equal(a.length, b.length);
  return a.map((line, i) => {
    assert.equal(line.tokens.length, b[i]!.tokens.length, `baseline line ${line.line}`);
    return line.tokens.map((token, j) => (token === b[i]!.tokens[j] ? token : undefined));
  });
}

function assertSameStructure(text: string, structure: Array<Array<string | undefined>>, label: string): void {
  const lines = tokenizeConfig(text);
  assert.equal(lines.length, structure.length, `${label}: number of directives`);
  lines.forEach((line, i) => {
    const expected = structure[i]!;
    assert.equal(line.tokens.length, expected.length, `${label}: line ${line.line} has ${line.tokens.length} tokens: ${line.tokens.join(' ')}`);
    line.tokens.forEach((token, j) => {
      const fixed = expected[j];
      if (fixed !== undefined) assert.equal(token, fixed, `${label}: line ${line.line} token ${j + 1}`);
      else assert.match(token, PLAIN_VALUE, `${label}: line ${line.line} value token ${j + 1}`);
    });
  });
}

async function inBatches<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

test(`${COUNT} random valid specs render to configs of the baseline's structure that haproxy -c accepts (seed ${SEED})`, async () => {
  const r = seededRandom(SEED);
  const structures = { swarm: structureOf({ kind: 'swarm' }), kubernetes: structureOf({ kind: 'kubernetes', namespace: 'default' }) };
  const dir = mkdtempSync(join(tmpdir(), 'bso-render-property-'));
  try {
    const cases = Array.from({ length: COUNT }, (_, i) => {
      const spec = validated(randomSpecDocument(r));
      const discovery = randomDiscovery(r);
      const text = render(spec, discovery);
      assertSameStructure(text, structures[discovery.kind], `spec #${i} (${spec.metadata.name}, seed ${SEED})`);
      const file = join(dir, `${i}.cfg`);
      writeFileSync(file, text);
      return { i, file };
    });
    const failures: string[] = [];
    const env = { ...process.env, BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'secret' };
    await inBatches(cases, 2, async ({ i, file }) => {
      const result = await checkHAProxyConfig(file, { haproxy: HAPROXY, env });
      if (!result.ok) failures.push(`spec #${i} (${file}): ${result.messages.join(' | ')}`);
    });
    assert.deepEqual(failures, [], `seed ${SEED}`);
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    process.stderr.write(`configs kept in ${dir}\n`);
    throw error;
  }
});
