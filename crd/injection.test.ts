// Nothing a spec carries into an HAProxy config, a Docker object or a Kubernetes object may hold
// a newline, a quote or anything else that could inject a directive, a shell expansion or a
// second field. The test walks the schema for every string (field values, and the keys and
// values of labels, annotations and env), puts each payload there, and expects an issue on
// exactly that field. Free-text values (annotations, env) may hold spaces and '#', and must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseBalancedServices } from './parse-spec.js';
import { balancedServiceSchema } from './schema.js';
import { inlineRefs } from './derive-schemas.js';
import { formatIssue, formatPath, type PathSegment } from './spec-issue.js';

type Schema = Record<string, unknown>;
interface Site { kind: 'value' | 'key'; path: PathSegment[] }

const MAP_ENTRY = '*';
const BASE = parse(readFileSync(new URL('./testdata/valid/every-field.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;

const PAYLOADS: Record<string, (v: string) => string> = {
  'newline': (v) => `${v}\nbind :1`,
  'carriage return': (v) => `${v}\rx`,
  'tab': (v) => `${v}\tx`,
  'NUL': (v) => `${v}\u0000x`,
  'double quote': (v) => `${v}"x`,
  'single quote': (v) => `${v}'x`,
  'backtick': (v) => `${v}\`id\``,
  'backslash': (v) => `${v}\\x`,
  '${VAR}': (v) => `${v}\${HOME}`,
  '$(cmd)': (v) => `${v}$(reboot)`,
  'escape sequence': (v) => `${v}\u001b[2J`,
  'DEL': (v) => `${v}\u007f`,
  '10 kB': (v) => v + 'a'.repeat(10_240),
  'non-ASCII letter': (v) => `${v}é`,
  'right-to-left override': (v) => `${v}\u202ex`,
  'line separator': (v) => `${v}\u2028x`,
  'space': (v) => `${v} x`,
  'hash': (v) => `${v}#x`,
};
/** Payloads that free text may hold. */
const FREE_TEXT_OK = new Set(['space', 'hash']);
const FREE_TEXT_SITES = new Set(['metadata.annotations.*', 'spec.env.*']);

function findSites(node: Schema, path: PathSegment[], out: Site[]): Site[] {
  if (node.type === 'string') out.push({ kind: 'value', path });
  const properties = node.properties as Record<string, Schema> | undefined;
  for (const [name, sub] of Object.entries(properties ?? {})) {
    if (path.length === 0 && name === 'status') continue; // checked below: status is refused whole
    findSites(sub, [...path, name], out);
  }
  if (typeof node.additionalProperties === 'object') {
    out.push({ kind: 'key', path: [...path, MAP_ENTRY] });
    findSites(node.additionalProperties as Schema, [...path, MAP_ENTRY], out);
  }
  if (typeof node.items === 'object') findSites(node.items as Schema, [...path, 0], out);
  return out;
}

const schema = inlineRefs(balancedServiceSchema);
const sites = findSites(schema, [], []);

/** The spec with `payload` at the site: a field's value, or a map entry's key or value. */
function withPayload(site: Site, payload: (v: string) => string): { doc: Record<string, unknown>; path: PathSegment[] } {
  const doc = structuredClone(BASE);
  const parentPath = site.path.slice(0, -1);
  const parent = parentPath.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, doc);
  assert.ok(parent, `the base spec has no ${formatPath(parentPath)}`);
  const last = site.path[site.path.length - 1]!;
  if (last !== MAP_ENTRY) {
    const base = parent[last];
    assert.equal(typeof base, 'string', `the base spec has no string at ${formatPath(site.path)}`);
    parent[last] = payload(base as string);
    return { doc, path: site.path };
  }
  const [key, value] = Object.entries(parent)[0] as [string, string];
  if (site.kind === 'value') {
    parent[key] = payload(value);
    return { doc, path: [...parentPath, key] };
  }
  const injected = payload(key);
  parent[injected] = value;
  return { doc, path: [...parentPath, injected] };
}

test('the schema walk finds every string a spec can carry', () => {
  const names = sites.map((s) => `${s.kind} ${formatPath(s.path.map((p) => (p === MAP_ENTRY ? 'ENTRY' : p)))}`);
  for (const expected of [
    'value apiVersion', 'value kind', 'value metadata.name', 'value metadata.namespace', 'key metadata.labels.ENTRY',
    'value metadata.labels.ENTRY', 'key metadata.annotations.ENTRY', 'value metadata.annotations.ENTRY', 'value spec.image',
    'key spec.env.ENTRY', 'value spec.env.ENTRY', 'value spec.resources.memory', 'value spec.healthCheck.path',
    'value spec.agent.metric', 'value spec.haproxy.image', 'value spec.haproxy.nodeLabel', 'value spec.haproxy.balance', 'value spec.haproxy.statsSecret',
    'value spec.haproxy.timeouts.queue',
  ]) assert.ok(names.includes(expected), `missing ${expected}`);
  assert.ok(sites.length >= 25, `only ${sites.length} sites`);
});

test('the base spec (every field set) is valid in both YAML and JSON form', () => {
  for (const text of [stringify(BASE), JSON.stringify(BASE)]) {
    const result = parseBalancedServices(text, 'base');
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
  }
});

for (const site of sites) {
  const siteName = formatPath(site.path.map((p) => (p === MAP_ENTRY ? '*' : p)));
  const label = `${site.kind === 'key' ? 'keys of' : ''} ${siteName}`.trim();
  const freeText = site.kind === 'value' && FREE_TEXT_SITES.has(site.path.join('.'));
  test(`injection into ${label} is refused on that field`, () => {
    for (const [payloadName, payload] of Object.entries(PAYLOADS)) {
      const { doc, path } = withPayload(site, payload);
      for (const [form, text] of [['YAML', stringify(doc)], ['JSON', JSON.stringify(doc)]] as const) {
        const result = parseBalancedServices(text, 'injected.yaml');
        const what = `${payloadName} in ${label} (${form})`;
        if (freeText && FREE_TEXT_OK.has(payloadName)) {
          assert.ok(result.ok, `${what} should be accepted: ${result.ok ? '' : result.issues.map(formatIssue).join('; ')}`);
          continue;
        }
        assert.equal(result.ok, false, `${what} was accepted`);
        if (result.ok) continue;
        const paths = new Set(result.issues.map((i) => i.path));
        assert.deepEqual([...paths], [formatPath(path)], `${what}: ${result.issues.map(formatIssue).join('; ')}`);
      }
    }
  });
}

test('status, written only by the operator, is refused whole whatever it holds', () => {
  const statusSites = findSites((schema.properties as Record<string, Schema>).status!, ['status'], []);
  assert.ok(statusSites.length >= 8, `only ${statusSites.length} status strings`);
  for (const site of statusSites) {
    const doc = structuredClone(BASE);
    setAt(doc, site.path, 'x\nbind :1');
    const result = parseBalancedServices(stringify(doc), 'status.yaml');
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual(result.issues.map((i) => [i.path, i.message]), [['status', 'is written by the operator and cannot be applied; remove it from the spec file']]);
  }
});

function setAt(doc: Record<string, unknown>, path: readonly PathSegment[], value: unknown): void {
  let node: Record<string | number, unknown> = doc;
  path.forEach((segment, i) => {
    if (i === path.length - 1) { node[segment] = value; return; }
    node[segment] ??= typeof path[i + 1] === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
}
