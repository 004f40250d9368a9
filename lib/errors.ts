// The catalogue of bso's errors. Every error a user can see carries a stable code from here,
// so that scripts and docs can refer to it. Validation problems are data (SpecIssue lists),
// wrapped in one BsoError with code BSO_SPEC_INVALID when they must travel as an exception.

export const ERROR_CODES = {
  BSO_USAGE: 'The command line is wrong (exit code 2).',
  BSO_FILE_UNREADABLE: 'A file named on the command line cannot be read.',
  BSO_SPEC_INVALID: 'A BalancedService spec breaks the schema or a semantic rule.',
  BSO_CONFLICT: 'An object changed between read and write (optimistic concurrency); retried.',
  BSO_FOREIGN_OBJECT: 'An object with the name bso wants exists but is not owned by bso.',
  BSO_PORT_TAKEN: 'A published port is already used by another BalancedService.',
  BSO_BACKEND_UNAVAILABLE: 'The Docker or Kubernetes API cannot be reached.',
  BSO_NOT_FOUND: 'The named BalancedService does not exist.',
  BSO_HAPROXY_REJECTED: 'HAProxy rejected a configuration; the previous one keeps serving.',
  BSO_AGENT_CONFIG: 'bso-api was started with an invalid environment.',
  BSO_NOT_IMPLEMENTED: 'The command exists but its implementation has not landed yet.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BsoError extends Error {
  readonly code: ErrorCode;
  /** Transient errors are retried with backoff; permanent ones are reported and not retried. */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BsoError';
    this.code = code;
    this.transient = options.transient ?? false;
  }
}

export function isBsoError(value: unknown, code?: ErrorCode): value is BsoError {
  return value instanceof BsoError && (code === undefined || value.code === code);
}
