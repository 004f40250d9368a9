// Issue #8 row 12, injection: every string a spec can carry (found by walking the schema, as
// crd/injection.test.ts does) gets each hostile value: newlines, \r, #, quotes, backslashes,
// ${VAR}, non-ASCII, 10 kB and more. Each is either refused with an issue on that field, or
// accepted and then carried as one opaque value: the rendered haproxy.cfg (Swarm and Kubernetes
// discovery) has the benign spec's token structure, and the Swarm service specs and Kubernetes
// objects have the benign spec's shape (no new keys, env entries or args) with the value's
// bytes unchanged. Counts the values tried, refused and accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseBalancedServices } from '../../../crd/parse-spec.js';
import { balancedServiceSchema } from '../../../crd/schema.js';
import { inlineRefs } from '../../../crd/derive-schemas.js';
import { formatIssue, formatPath, type PathSegment } from '../../../crd/spec-issue.js';
import { validStoredObject } from '../../../operator/backend.js';
import type { BalancedService } from '../../../crd/types.generated.js';
import { renderServiceConfig, slotsFor, tokenizeConfig, type Discovery } from '../../../haproxy/render/index.js';
import { desiredStateFor } from '../../../operator/core/desired-state.js';
import { LABEL_REVISION, LABEL_SPEC_HASH } from '../../../contract/names.js';
import { toServiceSpec } from '../../../operator/swarm/service-spec.js';
import { toDeployment } from '../../../operator/kubernetes/deployment-spec.js';
import { toService } from '../../../operator/kubernetes/service-objects.js';
import { toNetworkPolicy, toSecret } from '../../../operator/kubernetes/owned-objects.js';
import { toStoredSpec, type BalancedServiceResource } from '../../../operator/kubernetes/spec-store.js';
import { CONTROL } from '../../operator/specs.js';
import { formatCount, recordFaultRow } from '../fault-table.js';

type Schema = Record<string, unknown>;
interface Site { kind: 'value' | 'key'; path: PathSegment[] }
const MAP_ENTRY = '*';
const BASE = parse(readFileSync(new URL('../../../crd/testdata/valid/every-field.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;

const HOSTILE: Record<string, (v: string) => string> = {
  'newline': (v) => `${v}\nbind :1`,
  'CRLF': (v) => `${v}\r\nx: y`,
  'carriage return': (v) => `${v}\rx`,
  'hash': (v) => `${v}#x`,
  'hash after space': (v) => `${v} # x`,
  'double quote': (v) => `${v}"x`,
  'single quote': (v) => `${v}'x`,
  'backslash': (v) => `${v}\\x`,
  'backslash-n': (v) => `${v}\\n`,
  '${VAR}': (v) => `${v}\${HOME}`,
  '$VAR': (v) => `${v}$HOME`,
  'HAProxy sample %[...]': (v) => `${v}%[env(HOME)]`,
  '$(cmd) and backtick': (v) => `${v}$(id)\`id\``,
  'equals': (v) => `${v}=x`,
  'new env entry': (v) => `${v}\nB=x`,
  'arg-like': (v) => `${v} --privileged`,
  'colon space': (v) => `${v}: x`,
  'comma': (v) => `${v},x`,
  'braces': (v) => `${v}{x}`,
  'tab': (v) => `${v}\tx`,
  'NUL': (v) => `${v}\u0000x`,
  'escape sequence': (v) => `${v}\u001b[2J`,
  'non-ASCII letter': (v) => `${v}é`,
  'emoji': (v) => `${v}\u{1F600}`,
  'right-to-left override': (v) => `${v}\u202ex`,
  'line separator': (v) => `${v}\u2028x`,
  'BOM': (v) => `\uFEFF${v}`,
  '10 kB': (v) => v + 'a'.repeat(10_240),
  '10 kB of newlines': (v) => v + '\n'.repeat(10_240),
  'space': (v) => `${v} x`,
};

function findSites(node: Schema, path: PathSegment[], out: Site[]): Site[] {
  if (node.type === 'string') out.push({ kind: 'value', path });
  for (const [name, sub] of Object.entries((node.properties as Record<string, Schema> | undefined) ?? {})) {
    if (path.length === 0 && name === 'status') continue; // refused whole (crd/injection.test.ts)
    findSites(sub, [...path, name], out);
  }
  if (typeof node.additionalProperties === 'object') {
    out.push({ kind: 'key', path: [...path, MAP_ENTRY] });
    findSites(node.additionalProperties as Schema, [...path, MAP_ENTRY], out);
  }
  if (typeof node.items === 'object') findSites(node.items as Schema, [...path, 0], out);
  return out;
}

/** The spec with the hostile value at the site, and the path of the field that now holds it. */
function withValue(site: Site, hostile: (v: string) => string): { doc: Record<string, unknown>; path: PathSegment[]; value: string } {
  const doc = structuredClone(BASE);
  const parentPath = site.path.slice(0, -1);
  const parent = parentPath.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, doc);
  const last = site.path[site.path.length - 1]!;
  if (last !== MAP_ENTRY) {
    const value = hostile(parent[last] as string);
    parent[last] = value;
    return { doc, path: site.path, value };
  }
  const [key, base] = Object.entries(parent)[0] as [string, string];
  if (site.kind === 'value') {
    parent[key] = hostile(base);
    return { doc, path: [...parentPath, key], value: parent[key] as string };
  }
  const injected = hostile(key);
  delete parent[key];
  parent[injected] = base;
  return { doc, path: [...parentPath, injected], value: injected };
}

const DISCOVERIES: Discovery[] = [{ kind: 'swarm' }, { kind: 'kubernetes', namespace: 'default' }];
const K8S = { namespace: 'team-a', haproxyServiceType: 'LoadBalancer' as const };
const SWARM_IDS = { networkId: (n: string) => `id-${n}`, secretId: (n: string) => `sid-${n}`, configId: (n: string) => `cid-${n}` };

/** Per config line: its section, keyword and number of tokens. Values may differ; nothing else may. */
function configStructure(spec: BalancedService, discovery: Discovery): string[] {
  const text = renderServiceConfig(spec, { discovery, slots: slotsFor(spec.spec.replicas) }).text;
  return tokenizeConfig(text).map((l) => `${l.section} | ${l.tokens[0]} | ${l.tokens.length} tokens`);
}

/** Every object bso writes to Docker or Kubernetes for the spec. */
function orchestratorObjects(spec: BalancedService): Record<string, unknown> {
  const desired = desiredStateFor(spec, CONTROL);
  const resource: BalancedServiceResource = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: spec.metadata.name, labels: spec.metadata.labels as Record<string, string>, annotations: spec.metadata.annotations as Record<string, string> }, spec: spec.spec } as BalancedServiceResource;
  return {
    swarm: desired.services.map((s) => toServiceSpec(s, SWARM_IDS)),
    swarmNetworkLabels: desired.network.labels,
    swarmSecretLabels: desired.secrets.map((s) => s.labels),
    deployments: desired.services.map((s) => toDeployment(s, K8S)),
    services: desired.services.map((s) => toService(s, K8S)),
    networkPolicy: toNetworkPolicy(desired.network.name, desired.network.labels, K8S.namespace),
    secrets: desired.secrets.map((s) => toSecret(s.name, s.labels, K8S.namespace, 'admin:x')),
    storedSpec: validStoredObject(toStoredSpec(resource)).metadata,
  };
}

/** The object's keys, array lengths and value types, with strings that are data replaced by their type. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

/** Env entries (NAME=value on Swarm, {name, value} on Kubernetes) and every label/annotation key, with their values. */
function keyedStrings(objects: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        if (typeof item === 'string' && /\.Env$/.test(path)) {
          const at = item.indexOf('=');
          out.set(`${path}[${item.slice(0, at)}]`, item.slice(at + 1));
        } else if (item && typeof item === 'object' && 'name' in item && 'value' in item && /\.env$/.test(path)) {
          out.set(`${path}[${(item as { name: string }).name}]`, String((item as { value: string }).value));
        } else walk(item, `${path}[${i}]`);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    } else if (typeof node === 'string') out.set(path, node);
  };
  walk(objects, '');
  return out;
}

test('hostile values in every string field: refused on that field, or carried as one opaque value into haproxy.cfg, Swarm and Kubernetes objects', { timeout: 90_000 }, () => {
  const sites = findSites(inlineRefs(balancedServiceSchema), [], []);
  const benign = parseBalancedServices(JSON.stringify(BASE), 'base.json');
  assert.ok(benign.ok, 'the every-field spec is valid');
  const benignSpec = benign.specs[0]!.object;
  const benignConfigs = DISCOVERIES.map((d) => configStructure(benignSpec, d));
  const benignObjects = orchestratorObjects(benignSpec);
  const benignShape = shapeOf(benignObjects);
  const benignStrings = keyedStrings(benignObjects);
  let tried = 0;
  let refused = 0;
  const accepted = new Map<string, number>();
  const failures: string[] = [];
  let passed = false;
  try {
    assert.ok(sites.length >= 25, `the schema walk found only ${sites.length} string sites`);
    for (const site of sites) {
      for (const [name, hostile] of Object.entries(HOSTILE)) {
        const { doc, path, value } = withValue(site, hostile);
        const field = formatPath(path);
        for (const [form, text] of [['YAML', stringify(doc)], ['JSON', JSON.stringify(doc)]] as const) {
          tried++;
          const what = `${name} in ${site.kind === 'key' ? 'a key of ' : ''}${formatPath(site.path)} (${form})`;
          const result = parseBalancedServices(text, 'injected.yaml');
          if (!result.ok) {
            refused++;
            const elsewhere = result.issues.filter((i) => i.path !== field);
            if (elsewhere.length > 0) failures.push(`${what}: refused on another field: ${elsewhere.map(formatIssue).join(' | ')}`);
            continue;
          }
          accepted.set(formatPath(site.path), (accepted.get(formatPath(site.path)) ?? 0) + 1);
          const spec = result.specs[0]!.object;
          DISCOVERIES.forEach((d, i) => {
            try {
              assert.deepEqual(configStructure(spec, d), benignConfigs[i]);
            } catch (error) {
              failures.push(`${what}: haproxy.cfg (${d.kind}) changed structure: ${(error as Error).message.slice(0, 300)}`);
            }
          });
          const objects = orchestratorObjects(spec);
          try {
            assert.deepEqual(shapeOf(objects), benignShape);
          } catch (error) {
            failures.push(`${what}: the Docker/Kubernetes objects changed shape: ${(error as Error).message.slice(0, 300)}`);
            continue;
          }
          const strings = keyedStrings(objects);
          const keys = [...strings.keys()].sort();
          if (JSON.stringify(keys) !== JSON.stringify([...benignStrings.keys()].sort())) failures.push(`${what}: new or missing env entries, labels or annotations`);
          for (const [at, text] of strings) {
            const before = benignStrings.get(at);
            if (text === before || at.includes(LABEL_SPEC_HASH) || text === value) continue;
            // The replicas' revision hashes what they are made of, env included: another hash, never the value.
            if (at.includes(LABEL_REVISION) && /^[0-9a-f]{12}$/.test(text)) continue;
            // A label or annotation value is the user's value with its bytes unchanged, or untouched.
            failures.push(`${what}: ${at} is ${JSON.stringify(text.slice(0, 80))}, neither the benign ${JSON.stringify(before?.slice(0, 80))} nor the value as written`);
          }
          if (![...strings.values()].includes(value)) failures.push(`${what}: the accepted value is carried nowhere byte for byte`);
        }
      }
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} injections changed structure or were refused elsewhere`);
    assert.ok(accepted.size > 0, 'nothing was accepted: the free-text fields (annotations, env) must take spaces and #');
    passed = true;
  } finally {
    const acceptedTotal = [...accepted.values()].reduce((a, b) => a + b, 0);
    recordFaultRow({
      row: '12',
      fault: `injection: ${Object.keys(HOSTILE).length} hostile values (newline, \\r, #, quotes, backslash, \${VAR}, %[...], =, non-ASCII, 10 kB, ...) in each of ${sites.length} string fields and map keys, as YAML and JSON`,
      figure: `${formatCount(tried)} values tried: ${formatCount(refused)} refused on their field, ${formatCount(acceptedTotal)} accepted (${[...accepted].map(([k, n]) => `${k} ${n}`).join(', ')}), each with the benign haproxy.cfg token structure (Swarm and Kubernetes) and the benign shape of the Swarm services and Kubernetes objects, the value byte for byte`,
      lost: failures.length === 0 ? '-' : `${failures.length} changed structures or misplaced issues`,
      passed,
    });
  }
});
