// How a bench scenario starts one of bso's programs as its own process: the compiled file in
// dist/ (what the images run) when it is at least as new as its source, else the source through
// tsx. tsx costs about one percent of a core at idle by itself, so idle figures want dist/
// (`npm run build` first).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Entry {
  /** Arguments for `node` (before the program's own). */
  args: string[];
  from: 'dist' | 'source';
}

/** @param source  path of the .ts entry point relative to the repository, e.g. "api/main.ts" */
export function entryFor(source: string, tsxEntry = source): Entry {
  const compiled = join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
  const src = join(ROOT, source);
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= statSync(src).mtimeMs) return { args: [compiled], from: 'dist' };
  return { args: ['--import', 'tsx', join(ROOT, tsxEntry)], from: 'source' };
}

/** The bso CLI: bin/bso.js on a fresh dist/, else the CLI from source. */
export function cliEntry(): Entry {
  const dist = entryFor('cli/main.ts', 'bench/lib/cp-bso-cli.ts');
  return dist.from === 'dist' ? { args: [join(ROOT, 'bin/bso.js')], from: 'dist' } : dist;
}
