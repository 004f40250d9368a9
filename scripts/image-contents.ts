// What one image carries: its program's modules (followed from its entry point), the JSON they
// import, and the npm packages they load with every package those depend on. Used by
// scripts/build-images.sh to stage each image's context with nothing else (docs/images.md).
//   node --import tsx scripts/image-contents.ts api|haproxy|operator NODE_MODULES_DIR
// prints one path per line: bin/..., dist/... (relative to the repository) and node_modules/...
// (relative to NODE_MODULES_DIR's parent).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { importGraph } from './import-graph.js';

export const IMAGE_PROGRAMS = {
  api: { bin: 'bin/bso-api.js', entry: 'api/main.ts' },
  haproxy: { bin: 'bin/bso-haproxy-supervisor.js', entry: 'haproxy/supervisor/main.ts' },
  operator: { bin: 'bin/bso.js', entry: 'cli/main.ts' },
} as const;
export type ImageName = keyof typeof IMAGE_PROGRAMS;

/** Where Node.js finds package `name` from directory `from`: its node_modules, then each one above. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dir.replace(/\/node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (!dir.includes('/node_modules/')) return undefined;
  }
}

/** The package directories `names` need, each with its dependencies, resolved as Node.js does. */
export function packageClosure(nodeModules: string, names: Iterable<string>): string[] {
  const found = new Set<string>();
  const root = dirname(nodeModules);
  const visit = (name: string, from: string) => {
    const candidate = resolvePackage(name, from);
    if (!candidate) throw new Error(`package ${name} (needed from ${relative(root, from) || '.'}) is not installed in ${nodeModules}`);
    if (found.has(candidate)) return;
    found.add(candidate);
    const manifest = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      // An optional dependency that npm did not install is not needed.
      if (manifest.optionalDependencies?.[dep] !== undefined && !resolvePackage(dep, candidate)) continue;
      visit(dep, candidate);
    }
  };
  for (const name of names) visit(name, root);
  return [...found].map((dir) => relative(root, dir)).sort();
}

export function imageContents(image: ImageName, nodeModules: string): string[] {
  const program = IMAGE_PROGRAMS[image];
  const { modules, assets, packages } = importGraph(program.entry);
  const dist = [...modules].map((m) => `dist/${m.replace(/\.ts$/, '.js')}`).concat([...assets].map((a) => `dist/${a}`));
  return [program.bin, ...dist.sort(), ...packageClosure(nodeModules, packages.keys())];
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/scripts\//, '/scripts/'))) {
  const [image, nodeModules] = process.argv.slice(2);
  if (!image || !(image in IMAGE_PROGRAMS) || !nodeModules) {
    console.error('usage: node --import tsx scripts/image-contents.ts api|haproxy|operator NODE_MODULES_DIR');
    process.exit(2);
  }
  for (const line of imageContents(image as ImageName, nodeModules)) console.log(line);
}
