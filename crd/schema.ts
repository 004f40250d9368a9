// The BalancedService JSON Schema (the single source of truth) and its compiled validator.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from './balancedservice.schema.json' with { type: 'json' };

export const balancedServiceSchema: Record<string, unknown> = schemaJson;

export const API_VERSION = 'bso.dev/v1alpha1';
export const KIND = 'BalancedService';

/** Keywords of ours inside the schema; stripped from the CRD and editor schema. */
export const SCHEMA_ANNOTATIONS = ['x-message'] as const;

let compiled: ValidateFunction | undefined;

/** Validates in place and fills in every default the schema declares. */
export function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: false });
    for (const keyword of SCHEMA_ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: 'string' });
    compiled = ajv.compile(balancedServiceSchema);
  }
  return compiled;
}

export type SchemaError = ErrorObject;
