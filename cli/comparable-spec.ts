// What `bso diff` compares: a stored spec and a file's, as the same shape. Stores return keys in
// their own order (the Kubernetes API server sorts them) and add the namespace they keep it in;
// neither is a difference a user made. Pure.

type Json = unknown;

/** value with its object keys in the order template has them (keys template lacks follow, sorted). */
export function inOrderOf(value: Json, template: Json): Json {
  if (Array.isArray(value)) return value.map((item, i) => inOrderOf(item, Array.isArray(template) ? template[i] : undefined));
  if (typeof value !== 'object' || value === null) return value;
  const model = typeof template === 'object' && template !== null && !Array.isArray(template) ? template as Record<string, Json> : {};
  const object = value as Record<string, Json>;
  const keys = [...Object.keys(model).filter((k) => k in object), ...Object.keys(object).filter((k) => !(k in model)).sort()];
  return Object.fromEntries(keys.map((k) => [k, inOrderOf(object[k], model[k])]));
}

interface SpecLike { metadata: object; spec: unknown }

/** The stored spec shaped like the file's: its key order, and no namespace when the file names none. */
export function comparableStored(stored: SpecLike, file: SpecLike): SpecLike {
  const { namespace, ...metadata } = stored.metadata as { namespace?: string };
  const fileNamespace = (file.metadata as { namespace?: string }).namespace;
  const shaped = { metadata: fileNamespace === undefined ? metadata : { ...metadata, namespace }, spec: stored.spec };
  return inOrderOf(shaped, { metadata: file.metadata, spec: file.spec }) as SpecLike;
}
