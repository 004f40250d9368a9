// Turns ajv's errors into plain-language issues with a field path.
import type { SchemaError } from './schema.js';
import type { PathSegment } from './spec-issue.js';
import { closestName } from '../lib/closest-name.js';

export interface RawIssue {
  path: PathSegment[];
  /** Point at the key (unknown fields) or at the parent key (missing fields) rather than the value. */
  target: 'value' | 'key' | 'parent';
  message: string;
  /** The schema keyword that failed (type, pattern, ...); absent for semantic rules. */
  keyword?: string;
  /** Where to point instead when `path` is not written in the file (its value is a default). */
  fallbackPath?: PathSegment[];
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'a whole number', number: 'a number', string: 'a string', object: 'a mapping (key: value)',
  array: 'a list', boolean: 'true or false',
};

/** One issue per problem: a value of the wrong type gets one issue (the allowed values, or the type), not three. */
export function schemaIssues(errors: readonly SchemaError[]): RawIssue[] {
  const out: RawIssue[] = [];
  const seen = new Set<string>();
  const issues = errors.flatMap((error): RawIssue[] => {
    const issue = toIssue(error);
    return issue ? [{ ...issue, keyword: error.keyword }] : [];
  });
  const pathsWith = (keyword: string) => new Set(issues.filter((i) => i.keyword === keyword).map((i) => i.path.join('\u0000')));
  const wrongType = pathsWith('type');
  const notInEnum = pathsWith('enum');
  const empty = new Set(issues.filter((i) => i.message === 'must not be empty').map((i) => i.path.join('\u0000')));
  for (const issue of issues) {
    const at = issue.path.join('\u0000');
    if (issue.keyword === 'type' && notInEnum.has(at)) continue; // "must be one of: cpu, memory, max" says more
    if (issue.keyword !== 'type' && issue.keyword !== 'enum' && issue.target === 'value' && wrongType.has(at)) continue;
    if (issue.keyword === 'pattern' && empty.has(at)) continue; // "must not be empty" is the whole story
    const key = at + '\u0000' + issue.message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

function toIssue(error: SchemaError): RawIssue | undefined {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], target: 'parent', message: 'is required' };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((schema.properties as object | undefined) ?? {});
      const hint = closestName(name, known);
      return {
        path: [...path, name], target: 'key',
        message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}${known.length ? `; known fields: ${known.join(', ')}` : ''}`,
      };
    }
    case 'type':
      return { path, target: 'value', message: `must be ${typeName(String(params.type))}` };
    case 'enum':
      return { path, target: 'value', message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'minimum':
      return { path, target: 'value', message: `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { path, target: 'value', message: `must be at most ${String(params.limit)}` };
    case 'minLength':
      return { path, target: 'value', message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { path, target: 'value', message: `must be at most ${String(params.limit)} characters long` };
    case 'maxProperties':
      return { path, target: 'value', message: `must have at most ${String(params.limit)} entries` };
    case 'pattern': {
      const message = typeof schema['x-message'] === 'string' ? schema['x-message'] : `must match ${String(params.pattern)}`;
      return { path, target: 'value', message };
    }
    default:
      return { path, target: 'value', message: error.message ?? `fails ${error.keyword}` };
  }
}

export function typeName(type: string): string {
  return TYPE_NAMES[type] ?? type;
}

/** "/spec/env/A~1B" -> ["spec", "env", "A/B"]; numeric segments of arrays stay strings (YAML maps use string keys). */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
