// The stats page credentials: a secret file holding `user:password` (a Docker secret, by default
// /run/secrets/<name>-stats-auth). They reach HAProxy as environment variables that the config
// references, so they are never in the config text. Without a usable file the page is locked
// with random credentials nobody knows.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATS_PASSWORD_ENV, STATS_USER_ENV } from '../render/context.js';

export interface StatsCredentials { user: string; password: string; source: 'file' | 'random'; problem?: string }

export function readStatsCredentials(file: string): StatsCredentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return locked(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = parseStatsAuth(text);
  if (typeof parsed === 'string') return locked(`${file}: ${parsed}`);
  return { ...parsed, source: 'file' };
}

export function parseStatsAuth(text: string): { user: string; password: string } | string {
  const line = text.replace(/\r?\n$/, '');
  if (line.includes('\n')) return 'must hold one line, user:password';
  const colon = line.indexOf(':');
  if (colon <= 0) return 'must be user:password';
  const user = line.slice(0, colon);
  const password = line.slice(colon + 1);
  if (password.length < 8) return 'the password must have at least 8 characters';
  if (/[\s\0]/.test(user) || /[\0]/.test(password)) return 'the user must not contain blanks';
  return { user, password };
}

export function statsEnvironment(credentials: StatsCredentials): Record<string, string> {
  return { [STATS_USER_ENV]: credentials.user, [STATS_PASSWORD_ENV]: credentials.password };
}

function locked(problem: string): StatsCredentials {
  return { user: `locked-${randomBytes(6).toString('hex')}`, password: randomBytes(24).toString('base64url'), source: 'random', problem };
}
