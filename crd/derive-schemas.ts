// Everything derived from the one JSON Schema: the Kubernetes CRD, the editor schema, the
// input and resolved TypeScript types' schemas, and the README's spec reference. Pure.
import { API_VERSION, KIND, SCHEMA_ANNOTATIONS } from './schema.js';

type Schema = Record<string, unknown>;

export const CRD_GROUP = 'bso.dev';
export const CRD_PLURAL = 'balancedservices';

/** Replaces every $ref by the definition it names (the CRD's openAPIV3Schema allows no $ref). */
export function inlineRefs(schema: Schema, root: Schema = schema): Schema {
  const defs = (root.$defs ?? {}) as Record<string, Schema>;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const object = node as Schema;
    const out: Schema = {};
    if (typeof object.$ref === 'string') {
      const name = object.$ref.replace('#/$defs/', '');
      const target = defs[name];
      if (!target) throw new Error(`unknown $ref ${object.$ref}`);
      Object.assign(out, walk(target));
    }
    for (const [key, value] of Object.entries(object)) {
      if (key === '$ref' || key === '$defs') continue;
      out[key] = walk(value);
    }
    return out;
  };
  return walk(schema) as Schema;
}

/** Removes keys (at every depth) that a consumer does not accept. */
function omitKeys(node: unknown, drop: (key: string, value: unknown) => boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => omitKeys(item, drop));
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (drop(key, value)) continue;
    // "properties" and map-valued keys hold field names, not keywords: never drop those names.
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, omitKeys(sub, drop)]))
      : omitKeys(value, drop);
  }
  return out;
}

const isAnnotation = (key: string) => (SCHEMA_ANNOTATIONS as readonly string[]).includes(key);

/** The schema for yaml-language-server and other editors: draft-07, without bso's own keywords. */
export function editorSchema(schema: Schema): Schema {
  return omitKeys(schema, (key) => isAnnotation(key)) as Schema;
}

/** The CRD (apiextensions.k8s.io/v1): structural schema, status subresource, printer columns. */
export function customResourceDefinition(schema: Schema): Schema {
  const structural = omitKeys(inlineRefs(schema), (key, value) =>
    isAnnotation(key) || key === '$schema' || key === '$id' || key === 'title' ||
    (key === 'additionalProperties' && value === false)) as Schema;
  const properties = structural.properties as Record<string, Schema>;
  const openAPIV3Schema: Schema = {
    description: structural.description,
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: properties.spec,
      status: properties.status,
    },
  };
  const [group, version] = API_VERSION.split('/');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD_PLURAL}.${group}` },
    spec: {
      group,
      names: { kind: KIND, listKind: `${KIND}List`, plural: CRD_PLURAL, singular: KIND.toLowerCase(), shortNames: ['bsvc'] },
      scope: 'Namespaced',
      versions: [{
        name: version,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired replicas' },
          { name: 'Up', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Replicas UP in HAProxy' },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'The Ready condition' },
          { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', description: 'Why it is (not) ready' },
          { name: 'Degraded', type: 'string', jsonPath: '.status.conditions[?(@.type=="Degraded")].status', priority: 1, description: 'The Degraded condition (kubectl get -o wide)' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: { openAPIV3Schema },
      }],
    },
  };
}

/** The schema of a spec after loading: every field with a default is present. */
export function resolvedSchema(schema: Schema): Schema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const object = { ...(node as Schema) };
    if (object.properties && typeof object.properties === 'object') {
      const props = object.properties as Record<string, Schema>;
      const withDefault = Object.keys(props).filter((name) => 'default' in props[name]!);
      const required = new Set([...((object.required as string[] | undefined) ?? []), ...withDefault]);
      object.required = [...required];
    }
    for (const [key, value] of Object.entries(object)) object[key] = walk(value);
    return object;
  };
  return walk(inlineRefs(schema)) as Schema;
}

export interface ReferenceRow { path: string; type: string; default: string; description: string }

/** One row per spec field, in schema order, for the README. */
export function referenceRows(schema: Schema): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const walk = (node: Schema, path: string, required: boolean) => {
    const type = describeType(node);
    const dflt = 'default' in node ? (typeof node.default === 'object' ? '' : `\`${String(node.default)}\``) : required ? '(required)' : '';
    if (path) rows.push({ path, type, default: dflt, description: String(node.description ?? '').replace(/\|/g, '\\|') });
    const props = node.properties as Record<string, Schema> | undefined;
    if (!props) return;
    const req = new Set((node.required as string[] | undefined) ?? []);
    for (const [name, sub] of Object.entries(props)) walk(sub, path ? `${path}.${name}` : name, req.has(name));
  };
  const inlined = inlineRefs(schema);
  const properties = inlined.properties as Record<string, Schema>;
  walk(properties.metadata!, 'metadata', true);
  walk(properties.spec!, 'spec', true);
  return rows;
}

function describeType(node: Schema): string {
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const type = String(node.type ?? '');
  if (type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') return 'map of string';
  if (type === 'integer' || type === 'number') {
    const min = node.minimum;
    const max = node.maximum;
    return min !== undefined && max !== undefined ? `${type} ${String(min)}..${String(max)}` : type;
  }
  if (type === 'string' && node.pattern === '^(0|[1-9][0-9]{0,6})(ms|s|m|h)$') return 'duration';
  return type;
}

export function specReferenceMarkdown(schema: Schema): string {
  const lines = ['| Field | Type | Default | Description |', '|---|---|---|---|'];
  for (const row of referenceRows(schema)) lines.push(`| \`${row.path}\` | ${row.type} | ${row.default} | ${row.description} |`);
  return lines.join('\n') + '\n';
}
