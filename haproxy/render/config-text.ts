// The only way spec values reach the config text: every token is checked against the shape it
// must have, so no value can add a directive, a section, a comment or an argument. The schema
// already guarantees these shapes; these checks are the renderer's own line of defence.
import { BsoError } from '../../lib/errors.js';

/** A value that cannot be written safely into the config. Carries the model field it came from. */
export class UnsafeConfigValueError extends BsoError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('BSO_SPEC_INVALID', `${path}: ${message}`);
    this.name = 'UnsafeConfigValueError';
    this.path = path;
  }
}

const NAME = /^[a-z][-a-z0-9]{0,62}$/;
const HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const URL_PATH = /^\/[A-Za-z0-9._~/-]{0,255}$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
const FILE_PATH = /^\/[A-Za-z0-9._/-]{1,200}$/;
const WORD = /^[A-Za-z0-9][-A-Za-z0-9]*$/;

function check(ok: boolean, path: string, value: unknown, what: string): void {
  if (!ok) throw new UnsafeConfigValueError(path, `${JSON.stringify(value)} is not ${what}`);
}

/** A proxy, server prefix or resolvers name. */
export function nameToken(value: string, path: string): string {
  check(typeof value === 'string' && NAME.test(value), path, value, 'a name of lowercase letters, digits and -');
  return value;
}

export function hostnameToken(value: string, path: string): string {
  check(typeof value === 'string' && value.length <= 253 && HOSTNAME.test(value), path, value, 'a DNS name');
  return value;
}

export function urlPathToken(value: string, path: string): string {
  check(typeof value === 'string' && URL_PATH.test(value), path, value, 'an absolute URL path of letters, digits and . _ ~ / -');
  return value;
}

export function fileToken(value: string, path: string): string {
  check(typeof value === 'string' && FILE_PATH.test(value) && !value.includes('..'), path, value, 'an absolute file path');
  return value;
}

export function envNameToken(value: string, path: string): string {
  check(typeof value === 'string' && ENV_NAME.test(value), path, value, 'an environment variable name');
  return value;
}

/** One of a fixed set of keywords (balance algorithms, HTTP methods, retry-on conditions). */
export function wordToken<T extends string>(value: T, allowed: readonly string[], path: string): T {
  check(typeof value === 'string' && WORD.test(value) && allowed.includes(value), path, value, `one of ${allowed.join(', ')}`);
  return value;
}

export function intToken(value: number, min: number, max: number, path: string): string {
  check(Number.isSafeInteger(value) && value >= min && value <= max, path, value, `an integer from ${min} to ${max}`);
  return String(value);
}

export function portToken(value: number, path: string): string {
  return intToken(value, 1, 65535, path);
}

/** `address:port`; an empty address binds every IPv4 address. */
export function bindToken(address: string, port: number, path: string): string {
  check(address === '' || IPV4.test(address), `${path}.address`, address, 'an IPv4 address or empty');
  return `${address}:${portToken(port, `${path}.port`)}`;
}

export function ipv4Token(value: string, path: string): string {
  check(typeof value === 'string' && IPV4.test(value), path, value, 'an IPv4 address');
  return value;
}

const UNITS: Array<[number, string]> = [[3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
/** HAProxy's time format in the largest exact unit: 2s, 500ms, 1m; 0 is 0s. */
export function durationToken(ms: number, path: string, maxMs = 2_147_483_647): string {
  check(Number.isSafeInteger(ms) && ms >= 0 && ms <= maxMs, path, ms, `a duration in milliseconds from 0 to ${maxMs}`);
  if (ms === 0) return '0s';
  for (const [size, unit] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Text for a comment line; only the safe characters of names survive. */
export function commentText(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._:/()=,-]/g, '?');
}
