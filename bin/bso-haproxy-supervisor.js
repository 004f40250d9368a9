#!/usr/bin/env node
// The `bso-haproxy-supervisor` command: runs inside the HAProxy container (docs/haproxy.md).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/haproxy/supervisor/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('bso-haproxy-supervisor: not built yet. Run `npm run build` first.\n');
  process.exit(2);
}
await import(compiled.href);
