// Each verb loads only what it needs, so that `bso --version` and `bso validate` start fast
// (their times are the bench's control-plane scenario, s8): the npm packages a real process
// resolves, recorded by a module hook (test/support/record-imports.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function packagesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'bso-imports-'));
  try {
    const log = join(dir, 'imports.log');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/support/record-imports.mjs', 'cli/main.ts', ...args], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, BSO_IMPORTS_LOG: log }, timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const urls = readFileSync(log, 'utf8').split('\n');
    return [...new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--version, --help and a verb\'s --help load commander and nothing else', () => {
  for (const args of [['--version'], ['--help'], ['get', '--help'], ['operator', '--help'], ['completion', 'bash']]) {
    assert.deepEqual(packagesLoadedBy(args), ['commander'], args.join(' '));
  }
});

test('validate and render load the spec loader (yaml, ajv) but no Docker or Kubernetes client, no HTTP server, no metrics', () => {
  for (const args of [['validate', '-f', 'examples/hello.yaml'], ['validate', '-f', 'examples/hello.yaml', '-o', 'yaml'], ['render', 'haproxy', '-f', 'examples/hello.yaml']]) {
    assert.deepEqual(packagesLoadedBy(args), ['ajv', 'commander', 'yaml'], args.join(' '));
  }
});
