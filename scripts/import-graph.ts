// The modules a program loads, read statically from its source: every relative import (and
// `export ... from`) followed from an entry point, and the packages named on the way. Used by the
// tests that hold each image to its own code and by scripts/image-contents.ts, which stages
// each image with only what its program loads.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
// import/export ... from '...', import('...'), and new URL('./x.js', import.meta.url) (a worker
// thread's module, loaded by path).
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"](\.{1,2}\/[^'"]+\.js)['"]\s*,\s*import\.meta\.url\s*\)/g;

export interface ImportGraph {
  /** Our modules, relative to the repository root (e.g. api/config.ts). */
  modules: Set<string>;
  /** Other files of ours they import (JSON). */
  assets: Set<string>;
  /** Packages imported by any of them (node: built-ins left out), with one module that imports each. */
  packages: Map<string, string>;
}

/** Follows the value imports of `entry` (type-only imports are erased by the compiler and skipped). */
export function importGraph(entry: string): ImportGraph {
  const modules = new Set<string>();
  const assets = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (specifier.startsWith('.')) {
        const target = relative(ROOT, join(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts');
        if (target.endsWith('.ts')) pending.push(target);
        else assets.add(target);
      } else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!packages.has(name)) packages.set(name, file);
      }
    }
  }
  return { modules, assets, packages };
}
