// The part of the schema that governs a field path, e.g. what type spec.agent.port expects.
import { balancedServiceSchema } from './schema.js';
import { inlineRefs } from './derive-schemas.js';
import type { PathSegment } from './spec-issue.js';

export type SchemaNode = Record<string, unknown>;

let inlined: SchemaNode | undefined;

/** The schema node for `path` (map entries follow additionalProperties), or undefined for unknown fields. */
export function schemaAt(path: readonly PathSegment[]): SchemaNode | undefined {
  inlined ??= inlineRefs(balancedServiceSchema);
  let node: SchemaNode | undefined = inlined;
  for (const segment of path) {
    if (!node) return undefined;
    const properties = node.properties as Record<string, SchemaNode> | undefined;
    if (typeof segment === 'number') node = node.items as SchemaNode | undefined;
    else if (properties && Object.hasOwn(properties, segment)) node = properties[segment];
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties as SchemaNode;
    else return undefined;
  }
  return node;
}

/** The JSON type the field at `path` expects ("integer", "string", ...), if the schema knows it. */
export function expectedTypeAt(path: readonly PathSegment[]): string | undefined {
  const type = schemaAt(path)?.type;
  return typeof type === 'string' ? type : undefined;
}
