#!/usr/bin/env node
// The `bso-api` command: one API replica with its embedded agent-check server.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/api/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('bso-api: not built yet. Run `npm run build` first.\n');
  process.exit(2);
}
await import(compiled.href);
