// `node bin/bso-api.js` runs from the compiled output with production dependencies only: the
// api's closure is compiled with the project's build settings into a tmp dir whose
// node_modules holds only the packages package-lock.json does not mark as dev.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeCgroup } from '../test/api/fake-cgroup.js';
import { askAgent, spawnApi } from '../bench/lib/loopback/spawn-api.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function linkProductionModules(target: string): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const linked: string[] = [];
  for (const [key, info] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || key.indexOf('node_modules/', 1) !== -1) continue;
    if (info.dev || info.devOptional) continue;
    const name = key.slice('node_modules/'.length);
    if (!existsSync(join(ROOT, key))) continue;
    mkdirSync(dirname(join(target, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, key), join(target, 'node_modules', name), 'dir');
    linked.push(name);
  }
  return linked;
}

test('bin/bso-api.js runs the compiled api with production dependencies only', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-api-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    extends: join(ROOT, 'tsconfig.build.json'),
    compilerOptions: { outDir: join(dir, 'dist'), rootDir: ROOT, typeRoots: [join(ROOT, 'node_modules/@types')], sourceMap: false },
    files: [join(ROOT, 'api/main.ts'), join(ROOT, 'api/agent/agent-worker.ts')],
    include: [],
  }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  assert.ok(existsSync(join(dir, 'dist/api/main.js')) && existsSync(join(dir, 'dist/api/agent/agent-worker.js')));

  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin/bso-api.js'), join(dir, 'bin/bso-api.js'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  const linked = linkProductionModules(dir);
  assert.ok(linked.includes('express') && !linked.includes('tsx') && !linked.includes('typescript'), 'node_modules is not production-only');
  const devImport = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('tsx/esm/api')"], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(devImport.status, 0, 'a dev dependency is resolvable from the production tree');

  const tree = new FakeCgroup(join(dir, 'cgroup'), { version: 1, cpus: 1 });
  const api = await spawnApi({ BSO_CGROUP_ROOT: tree.root }, [join(dir, 'bin/bso-api.js')]);
  t.after(() => api.kill());
  assert.match((await askAgent(api.agentPort)).line, /^ready \d+%( maxconn:\d+)?\n$/);
  const root = await fetch(`http://127.0.0.1:${api.httpPort}/`);
  assert.equal(root.status, 200);
  assert.equal((await root.json() as Record<string, unknown>)['state'], 'ready');
  api.child.kill('SIGTERM');
  assert.equal(await api.exited, 0, api.output());
  assert.doesNotMatch(api.output(), /worker (failed|exited)/);
});
