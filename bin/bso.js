#!/usr/bin/env node
// The `bso` command. Runs the compiled CLI (npm run build, done by npm run setup).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('bso: the CLI is not built yet. Run `npm run build` (or `npm run setup`) in the bso folder first.\n');
  process.exit(2);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv);
