// Field names and types of Kubernetes' built-in kinds, from @kubernetes/client-node's models
// (generated from the API's OpenAPI). The FAKE API server refuses unknown fields and wrong
// types like a real one with fieldValidation=Strict; the deploy/k8s test checks manifests with
// it. Names and types only: no required fields, enums, formats or cross-field rules.
// (Only the models module is loaded: the client's HTTP half needs Node >= 22.19.)
import * as models from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';

interface Attribute { baseName: string; type: string }
type Model = { getAttributeTypeMap(): Attribute[] };

export const MODEL_OF_KIND: Record<string, string> = {
  Deployment: 'V1Deployment', Service: 'V1Service', Secret: 'V1Secret', ConfigMap: 'V1ConfigMap', Pod: 'V1Pod',
  NetworkPolicy: 'V1NetworkPolicy', Namespace: 'V1Namespace', ServiceAccount: 'V1ServiceAccount',
  Role: 'V1Role', RoleBinding: 'V1RoleBinding', ClusterRole: 'V1ClusterRole', ClusterRoleBinding: 'V1ClusterRoleBinding',
  CustomResourceDefinition: 'V1CustomResourceDefinition', Event: 'CoreV1Event', Lease: 'V1Lease',
  // policy/v1beta1's fields are v1's (bso sets maxUnavailable and selector).
  PodDisruptionBudget: 'V1PodDisruptionBudget',
};

/** Every problem with value as an object of the given model ("V1Deployment"), with its path. */
export function schemaIssues(value: unknown, type: string, path = ''): string[] {
  if (value === undefined || value === null) return [];
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    if (!Array.isArray(value)) return [`${path}: must be a list`];
    return value.flatMap((item, i) => schemaIssues(item, list[1]!, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: must be a map`];
    return Object.entries(value).flatMap(([key, item]) => schemaIssues(item, map[1]!, `${path}.${key}`));
  }
  switch (type) {
    case 'string': case 'Date': case 'V1MicroTime': return typeof value === 'string' ? [] : [`${path}: must be a string`];
    case 'number': return typeof value === 'number' ? [] : [`${path}: must be a number`];
    case 'boolean': return typeof value === 'boolean' ? [] : [`${path}: must be a boolean`];
    case 'IntOrString': return typeof value === 'number' || typeof value === 'string' ? [] : [`${path}: must be an integer or a string`];
    case 'any': case 'object': return [];
  }
  const model = (models as unknown as Record<string, Model | undefined>)[type];
  if (!model?.getAttributeTypeMap) return [`${path}: unknown type ${type}`];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: must be an object (${type})`];
  const attributes = model.getAttributeTypeMap();
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const attribute = attributes.find((a) => a.baseName === key);
    return attribute ? schemaIssues(item, attribute.type, `${path}.${key}`) : [`${path}.${key}: unknown field`];
  });
}
