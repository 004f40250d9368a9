// The files derived from crd/balancedservice.schema.json must be what `npm run generate` writes,
// the CRD must be a structural schema Kubernetes accepts, and the defaults the README documents
// must be the schema's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { generatedFiles, readmeWithSpecReference, README_END, README_START } from './generated-files.js';
import { API_VERSION, KIND, balancedServiceSchema } from './schema.js';
import { inlineRefs } from './derive-schemas.js';
import { parseBalancedServices } from './parse-spec.js';
import { formatIssue } from './spec-issue.js';

type Schema = Record<string, unknown>;
const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const crd = parse(read('crd/balancedservice.crd.yaml')) as Schema;
const version = ((crd.spec as Schema).versions as Schema[])[0]!;
const openAPIV3Schema = (version.schema as Schema).openAPIV3Schema as Schema;
const inlined = inlineRefs(balancedServiceSchema);

test('every generated file is what npm run generate writes from the schema', async () => {
  for (const [path, content] of Object.entries(await generatedFiles())) {
    assert.equal(read(path), content, `${path} is stale: run npm run generate`);
  }
});

test("the README's spec reference is what npm run generate writes from the schema", () => {
  const readme = read('README.md');
  assert.ok(readme.includes(README_START) && readme.includes(README_END), 'README.md lacks the spec reference markers');
  assert.equal(readme, readmeWithSpecReference(readme), 'README.md spec reference is stale: run npm run generate');
});

/** JSONSchemaProps fields apiextensions.k8s.io/v1 knows (x-kubernetes-* extensions aside). */
const K8S_KEYWORDS = new Set([
  'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties',
  'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties', 'additionalProperties', 'nullable', 'example',
]);

/** Every schema node of the CRD with its path: properties, items and additionalProperties. */
function schemaNodes(node: Schema, path: string, out: Array<[string, Schema]> = []): Array<[string, Schema]> {
  out.push([path, node]);
  for (const [name, sub] of Object.entries((node.properties as Record<string, Schema> | undefined) ?? {})) schemaNodes(sub, `${path}.${name}`, out);
  if (typeof node.items === 'object') schemaNodes(node.items as Schema, `${path}[]`, out);
  if (typeof node.additionalProperties === 'object') schemaNodes(node.additionalProperties as Schema, `${path}.*`, out);
  return out;
}

test('the CRD schema is structural: typed nodes, no $ref, no additionalProperties: false, no properties beside additionalProperties', () => {
  const nodes = schemaNodes(openAPIV3Schema, '');
  assert.ok(nodes.length > 40, `only ${nodes.length} nodes`);
  for (const [path, node] of nodes) {
    const where = path || '(root)';
    assert.equal(typeof node.type, 'string', `${where} has no type`);
    assert.ok(!('$ref' in node), `${where} has a $ref`);
    assert.notEqual(node.additionalProperties, false, `${where} has additionalProperties: false`);
    assert.ok(!(node.properties && node.additionalProperties), `${where} has both properties and additionalProperties`);
    for (const key of Object.keys(node)) {
      assert.ok(K8S_KEYWORDS.has(key) || key.startsWith('x-kubernetes-'), `${where} has ${key}, unknown to Kubernetes`);
    }
  }
  assert.ok(!JSON.stringify(crd).includes('"$ref"'), 'a $ref is left somewhere');
});

test('the CRD carries the same defaults as the schema, and no other', () => {
  const fromSchema = new Map(schemaNodes(inlined, '').filter(([p, n]) => 'default' in n && !p.startsWith('.status')).map(([p, n]) => [p, n.default]));
  const fromCrd = new Map(schemaNodes(openAPIV3Schema, '').filter(([, n]) => 'default' in n).map(([p, n]) => [p, n.default]));
  assert.ok(fromSchema.size >= 30, `only ${fromSchema.size} defaults`);
  assert.deepEqual(Object.fromEntries(fromCrd), Object.fromEntries(fromSchema));
});

test('the CRD validates like the schema: the valid specs pass, wrong values fail', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(openAPIV3Schema);
  for (const path of ['examples/hello.yaml', 'crd/testdata/valid/every-field.yaml', 'crd/testdata/valid/multi-document.yaml']) {
    for (const doc of parseAllDocuments(read(path)) as unknown as Array<{ toJS(): unknown }>) {
      const data = doc.toJS();
      if (data === null) continue;
      assert.ok(validate(data), `${path}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  const bad = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'x' }, spec: { image: 'Bad Image', replicas: -1, agent: { metric: 'gpu' } } };
  assert.equal(validate(bad), false);
  assert.deepEqual(validate.errors!.map((e) => e.instancePath).sort(), ['/spec/agent/metric', '/spec/image', '/spec/replicas']);
});

test('the CRD: apiextensions.k8s.io/v1, group and version from the schema, status subresource, printer columns', () => {
  const [group, versionName] = API_VERSION.split('/');
  const spec = crd.spec as Schema;
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  assert.equal(crd.kind, 'CustomResourceDefinition');
  assert.equal((crd.metadata as Schema).name, `${(spec.names as Schema).plural}.${group}`);
  assert.equal(spec.group, group);
  assert.equal((spec.names as Schema).kind, KIND);
  assert.equal(version.name, versionName);
  assert.equal(version.served, true);
  assert.equal(version.storage, true);
  assert.deepEqual(version.subresources, { status: {} });
  const columns = version.additionalPrinterColumns as Schema[];
  assert.deepEqual(columns.map((c) => [c.name, c.type, c.jsonPath]), [
    ['Replicas', 'integer', '.spec.replicas'],
    ['Up', 'integer', '.status.readyReplicas'],
    ['Ready', 'string', '.status.conditions[?(@.type=="Ready")].status'],
    ['Reason', 'string', '.status.conditions[?(@.type=="Ready")].reason'],
    ['Degraded', 'string', '.status.conditions[?(@.type=="Degraded")].status'],
    ['Age', 'date', '.metadata.creationTimestamp'],
  ]);
  // Each column (but Age, a standard field) names a field of the schema with the column's type;
  // a condition filter [?(@.type=="X")] names a condition type the schema allows.
  const conditionItems = (((openAPIV3Schema.properties as Record<string, Schema>).status!.properties as Record<string, Schema>).conditions!.items as Schema);
  const conditionTypes = ((conditionItems.properties as Record<string, Schema>).type!.enum as string[]);
  for (const column of columns.slice(0, -1)) {
    const path = String(column.jsonPath).replace(/\[\?\(@\.type=="(\w+)"\)\]/, (_, type: string) => {
      assert.ok(conditionTypes.includes(type), `${String(column.jsonPath)}: no condition type ${type}`);
      return '';
    });
    const field = path.slice(1).split('.').reduce<Schema | undefined>((node, key) => {
      const next = (node?.properties as Record<string, Schema> | undefined)?.[key];
      return next?.type === 'array' ? next.items as Schema : next;
    }, openAPIV3Schema);
    assert.equal(field?.type, column.type, `${String(column.jsonPath)} is not an ${String(column.type)} field of the schema`);
  }
});

test('the editor schema is the schema without bso\'s own keywords', () => {
  const editor = JSON.parse(read('crd/balancedservice.editor.schema.json')) as Schema;
  const text = JSON.stringify(editor);
  assert.ok(!text.includes('"x-message"'));
  const stripped = JSON.parse(JSON.stringify(balancedServiceSchema, (key, value: unknown) => (key === 'x-message' ? undefined : value)));
  assert.deepEqual(editor, stripped);
});

test('every default the README documents is the schema\'s, and every schema default is documented', () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf(README_START), readme.indexOf(README_END));
  const documented = new Map<string, string>();
  for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim()); // markdown cells; \| is a pipe inside one
    const dflt = /^`(.*)`$/.exec(cells[3]!);
    if (dflt) documented.set(cells[1]!.replace(/`/g, ''), dflt[1]!);
  }
  const defaults = schemaNodes(inlined, '')
    .filter(([path, node]) => 'default' in node && typeof node.default !== 'object' && !path.startsWith('.status'))
    .map(([path, node]) => [path.slice(1), String(node.default)] as const);
  assert.ok(defaults.length >= 25);
  assert.deepEqual(Object.fromEntries(documented), Object.fromEntries(defaults));
});

test('the README shows examples/hello.yaml as it is, the two commands, and real validation output', () => {
  const readme = read('README.md');
  const hello = read('examples/hello.yaml');
  assert.ok(readme.includes('```yaml\n' + hello + '```'), 'README.md does not show examples/hello.yaml verbatim');
  assert.ok(readme.includes([
    'npm run demo        # installs Docker/HAProxy/etc. as needed, starts dockerd + a Swarm, builds images, deploys examples/hello.yaml with the operator, prints the URLs',
    'npm run test:all    # sets everything up the same way and runs the whole suite (what CI runs: .ci/run)',
  ].join('\n')), 'README.md lacks the two commands');
  const broken = hello.replace('  resources:', '  resourcs:').replace('ready: 60 ', 'ready: 90 ');
  const result = parseBalancedServices(broken, 'hello.yaml');
  assert.equal(result.ok, false);
  if (!result.ok) {
    const shown = [...result.issues.map(formatIssue), `${result.issues.length} problems found in 1 file.`].join('\n');
    assert.ok(readme.includes('```\n' + shown + '\n```'), `README.md's validation example is not what bso prints:\n${shown}`);
  }
});
