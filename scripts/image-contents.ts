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

/** The package directories `names` need, each with its dependencies, resolved as Node.js does. */
export function packageClosure(nodeModules: string, names: Iterable<string>): string[] {
  const found = new Set<string>();
  const root = dirname(nodeModules);
  const visit = (name: string, from: string) => {
    // Node.js looks in from/node_modules, then in the node_modules of each package above it.
    for (let dir = from; ; dir = dir.replace(/\/node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        if (found.has(candidate)) return;
        found.add(candidate);
        const manifest = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
        for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
          if (manifest.optionalDependencies?.[dep] !== undefined && !findable(dep, candidate)) continue;
          visit(dep, candidate);
        }
        return;
      }
      if (!dir.includes('/node_modules/')) throw new Error(`package ${name} (needed from ${relative(root, from) || '.'}) is not installed in ${nodeModules}`);
    }
  };
  const findable = (name: string, from: string): boolean => {
    for (let dir = from; ; dir = dir.replace(/\/node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
      if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
      if (!dir.includes('/node_modules/')) return false;
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
