// The completion scripts: bash's run for real (bash is on every machine this runs on), zsh's and
// fish's checked by their shells when installed, and by content otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';

async function script(shell: string): Promise<string> {
  const out: string[] = [];
  const code = await main(['node', 'bso', 'completion', shell], { stdout: (l) => out.push(l), stderr: () => {}, exitCode: 0 });
  assert.equal(code, 0);
  return out.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'bso-completion-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** What bash completes for the words typed so far (the last one is being completed). */
function complete(file: string, words: string[]): string[] {
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _bso; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash: verbs, sub-verbs, options, and the choices of -o, --backend and the shell', async () => {
  const file = join(dir, 'bso.bash');
  writeFileSync(file, await script('bash'));
  assert.deepEqual(complete(file, ['bso', 'va']), ['validate']);
  assert.deepEqual(complete(file, ['bso', 'd']), ['delete', 'describe', 'diff']);
  assert.deepEqual(complete(file, ['bso', 'render', '']), ['--help', 'haproxy', 'k8s', 'stack']);
  assert.deepEqual(complete(file, ['bso', 'get', '-o', '']), ['json', 'table', 'wide', 'yaml']);
  assert.deepEqual(complete(file, ['bso', 'diff', '-o', '']), ['diff', 'json', 'yaml']);
  assert.deepEqual(complete(file, ['bso', 'apply', '--backend', 'k']), ['kubernetes']);
  assert.deepEqual(complete(file, ['bso', 'render', 'stack', '--ou']), ['--output-dir']);
  assert.ok(complete(file, ['bso', 'validate', '-']).includes('-R'));
  assert.deepEqual(complete(file, ['bso', 'completion', '']), ['bash', 'fish', 'zsh']);
});

test('zsh and fish: valid scripts (checked by the shell where installed) naming every verb', async () => {
  for (const shell of ['zsh', 'fish']) {
    const text = await script(shell);
    for (const verb of ['validate', 'apply', 'get', 'describe', 'delete', 'diff', 'top', 'operator', 'render', 'haproxy', 'k8s', 'stack', 'completion']) assert.match(text, new RegExp(`\\b${verb}\\b`), `${shell}: ${verb}`);
    const file = join(dir, `bso.${shell}`);
    writeFileSync(file, text);
    const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
    if (check.error) continue; // that shell is not installed here
    assert.equal(check.status, 0, `${shell} -n: ${check.stderr}`);
  }
});

test('an unknown shell is wrong usage', async () => {
  const err: string[] = [];
  const code = await main(['node', 'bso', 'completion', 'tcsh'], { stdout: () => {}, stderr: (l) => err.push(l), exitCode: 0 });
  assert.equal(code, 2);
  assert.match(err.join('\n'), /Allowed choices are bash, zsh, fish/);
});
