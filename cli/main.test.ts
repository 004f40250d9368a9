// The bso command line: in process through main(argv, ctx) with a capturing context, and as a
// real process for exit codes and standard input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram, main } from './main.js';
import type { CliContext } from './context.js';
import type { Command } from 'commander';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HELLO = join(ROOT, 'examples/hello.yaml');
const INVALID = join(ROOT, 'crd/testdata/invalid');
const ISSUE_LINE = /^[^:\n]+:\d+:\d+: (?:[^:]+: )?.+$/;

interface Run { code: number; stdout: string[]; stderr: string[] }

async function run(args: string[], stdin?: string): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ctx: CliContext = {
    stdout: (line) => stdout.push(...line.split('\n')),
    stderr: (line) => stderr.push(...line.split('\n')),
    exitCode: 0,
    ...(stdin === undefined ? {} : { readStdin: () => Buffer.from(stdin) }),
  };
  const code = await main(['node', 'bso', ...args], ctx);
  return { code, stdout, stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'bso-cli-'));
const write = (name: string, text: string) => { const path = join(scratch, name); writeFileSync(path, text); return path; };
test.after(() => rmSync(scratch, { recursive: true, force: true }));

const spec = (name: string, extra = '') =>
  `apiVersion: bso.dev/v1alpha1\nkind: BalancedService\nmetadata:\n  name: ${name}\nspec:\n  image: bso-hello-api:latest\n${extra}`;

test('validate: a valid file exits 0 and says so on stdout, nothing on stderr', async () => {
  const r = await run(['validate', '-f', HELLO]);
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout, [`${HELLO}: BalancedService hello is valid`]);
  assert.deepEqual(r.stderr, []);
});

test('validate: control characters in a file name, a key and a value reach the terminal escaped (issue #13)', async () => {
  const path = write('evil\u001b[2J\u009b.yaml', spec('hello', '  replicas: "\u202etwo"\n  agent:\n    "p\u007frt": 1\n'));
  const r = await run(['validate', '-f', path]);
  assert.equal(r.code, 1);
  const shown = path.replace('\u001b', '\\u001b').replace('\u009b', '\\u009b');
  assert.deepEqual(r.stderr.slice(0, 2), [
    `${shown}:7:13: spec.replicas: must be a whole number, not the text "\\u202etwo"`,
    `${shown}:9:5: spec.agent["p\\u007frt"]: unknown field (did you mean "port"?); known fields: port, interval, metric, thresholds, sampleInterval, smoothing, minMaintTime, weighting`,
  ]);
});

test('validate --quiet prints nothing for valid files', async () => {
  const r = await run(['validate', '-q', '-f', HELLO]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, [], []]);
});

test('validate: an invalid file exits 1 with every issue on stderr as FILE:LINE:COL: PATH: message', async () => {
  const path = write('bad.yaml', spec('hello', '  replicas: -1\n  agent:\n    thresholds:\n      ready: 90\n  colour: blue\n'));
  const r = await run(['validate', '-f', path]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout, []);
  assert.deepEqual(r.stderr, [
    `${path}:7:13: spec.replicas: must be at least 0`,
    `${path}:10:14: spec.agent.thresholds.ready: must be lower than spec.agent.thresholds.maint (80)`,
    `${path}:11:3: spec.colour: unknown field; known fields: image, replicas, port, env, resources, rollout, healthCheck, agent, haproxy`,
    '3 problems found in 1 file.',
  ]);
});

test('validate: several files, valid and invalid, report the invalid ones (corpus files as they are)', async () => {
  const a = join(INVALID, 'thresholds-equal.yaml');
  const b = join(INVALID, 'ports-haproxy.yaml');
  const r = await run(['validate', '-f', HELLO, a, '-f', b]);
  assert.equal(r.code, 1);
  const expected = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^# expect: (.*)$/gm)].map((m) => `${file}:${m[1]}`);
  assert.deepEqual(r.stderr, [...expected(a), ...expected(b), '2 problems found in 2 files.']);
  for (const line of r.stderr.slice(0, -1)) assert.match(line, ISSUE_LINE);
});

test('validate: the same name in two files is refused, pointing at the second', async () => {
  const one = write('one.yaml', spec('shop'));
  const two = write('two.yaml', `# another team's file\n${spec('shop')}`);
  const r = await run(['validate', '-f', one, two]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr, [`${two}:5:9: metadata.name: "shop" is also defined in ${one}:4`, '1 problem found in 1 file.']);
});

test('validate: several valid files with distinct names pass together', async () => {
  const r = await run(['validate', '-f', write('a.yaml', spec('alpha')), write('b.yaml', spec('beta'))]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  assert.equal(r.stdout.length, 2);
});

test('validate: a missing file, a folder without specs and a non-UTF-8 file are reported, and the others still checked', async () => {
  const missing = join(scratch, 'nope.yaml');
  const empty = join(scratch, 'empty-folder');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'notes.txt'), 'not a spec\n');
  const latin1 = join(scratch, 'latin1.yaml');
  writeFileSync(latin1, Buffer.from([...Buffer.from(spec('ok')), 0x23, 0xe9, 0x0a]));
  const bad = write('bad2.yaml', spec('bad', '  replicas: many\n'));
  const r = await run(['validate', '-f', missing, empty, latin1, bad]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr, [
    `${missing}:1:1: cannot be read: no such file`,
    `${empty}:1:1: holds no .yaml, .yml or .json file (-R reads its subfolders too)`,
    `${latin1}:1:1: is not UTF-8 text`,
    `${bad}:7:13: spec.replicas: must be a whole number, not the text "many"`,
    '4 problems found in 4 files.',
  ]);
});

test('validate -f DIR reads the folder\'s .yaml, .yml and .json files by name; -R its subfolders too; -o json prints one document', async () => {
  const dir = join(scratch, 'specs');
  mkdirSync(join(dir, 'more'), { recursive: true });
  writeFileSync(join(dir, 'b.yaml'), spec('bravo'));
  writeFileSync(join(dir, 'a.yml'), spec('alpha'));
  writeFileSync(join(dir, 'README.md'), '# not a spec\n');
  writeFileSync(join(dir, 'more', 'c.yaml'), spec('charlie'));
  const flat = await run(['validate', '-f', dir]);
  assert.deepEqual([flat.code, flat.stdout], [0, [`${join(dir, 'a.yml')}: BalancedService alpha is valid`, `${join(dir, 'b.yaml')}: BalancedService bravo is valid`]]);
  const deep = await run(['validate', '-f', dir, '-R', '-o', 'json']);
  assert.equal(deep.code, 0);
  assert.deepEqual(JSON.parse(deep.stdout.join('\n')), {
    valid: true,
    specs: [{ file: join(dir, 'a.yml'), name: 'alpha' }, { file: join(dir, 'b.yaml'), name: 'bravo' }, { file: join(dir, 'more', 'c.yaml'), name: 'charlie' }],
    issues: [],
  });
});

test('validate -o json: the problems as one JSON document on stdout, exit 1, control characters escaped', async () => {
  const bad = write('json-bad.yaml', spec('bad', '  replicas: "\u009btwo"\n'));
  const r = await run(['validate', '-f', bad, '-o', 'json']);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr, []);
  const text = r.stdout.join('\n');
  assert.doesNotMatch(text, /\u009b/u);
  const document = JSON.parse(text) as { valid: boolean; issues: Array<{ file: string; line: number; col: number; path: string; message: string }> };
  assert.equal(document.valid, false);
  assert.deepEqual(document.issues.map((i) => [i.line, i.col, i.path]), [[7, 13, 'spec.replicas']]);
});

test('validate -f - reads the spec from standard input', async () => {
  const ok = await run(['validate', '-f', '-'], spec('piped'));
  assert.deepEqual([ok.code, ok.stdout], [0, ['<stdin>: BalancedService piped is valid']]);
  const bad = await run(['validate', '-f', '-'], spec('piped', '  port: 0777\n'));
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr[0], '<stdin>:7:9: spec.port: the number 0777 has a leading zero; write 777 (YAML 1.1 would read it as octal)');
});

test('validate: a stream larger than 1 MiB is refused without reading it all', async () => {
  const r = await run(['validate', '-f', '-'], 'x'.repeat(3 * 1024 * 1024));
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr, ['<stdin>:1:1: is more than 1048576 bytes; a spec file may have at most 1048576 bytes (1 MiB)', '1 problem found in 1 file.']);
});

test('usage errors exit 2: no -f, -f without a file, an unknown option', async () => {
  for (const args of [['validate'], ['validate', '-f'], ['validate', '-f', HELLO, '--colour']]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr.join('\n'), /^error: /m, args.join(' '));
  }
});

test('an unknown command exits 2 and suggests the closest one', async () => {
  const r = await run(['valdate', '-f', HELLO]);
  assert.equal(r.code, 2);
  assert.deepEqual(r.stderr, ["error: unknown command 'valdate'", '(Did you mean validate?)']);
  const render = await run(['render', 'haproxi', '-f', HELLO]);
  assert.equal(render.code, 2);
  assert.match(render.stderr.join('\n'), /Did you mean haproxy\?/);
});

test('no arguments prints the help on stderr and exits 2', async () => {
  const r = await run([]);
  assert.equal(r.code, 2);
  assert.deepEqual(r.stdout, []);
  const help = r.stderr.join('\n');
  assert.match(help, /^Usage: bso \[options\] \[command\]/);
  for (const verb of ['validate', 'render', 'apply', 'get', 'describe', 'delete', 'diff', 'operator']) assert.match(help, new RegExp(`^  ${verb}\\b`, 'm'));
  assert.match(help, /bso validate -f examples\/hello\.yaml/);
});

/** Every command that runs something (render's haproxy, not render itself), with its full name. */
function leafCommands(command: Command, prefix: string[] = []): string[][] {
  const path = [...prefix, command.name()];
  if (command.commands.length === 0) return [path.slice(1)];
  return command.commands.flatMap((sub) => leafCommands(sub, path));
}

const leaves = leafCommands(buildProgram({ stdout() {}, stderr() {}, exitCode: 0 }));

test('the CLI has the verbs of the issue', () => {
  assert.deepEqual(leaves.map((l) => l.join(' ')).sort(), ['apply', 'completion', 'delete', 'describe', 'diff', 'get', 'operator', 'render haproxy', 'render k8s', 'render stack', 'rollout status', 'top', 'validate']);
});

for (const verb of leaves) {
  test(`bso ${verb.join(' ')} --help exits 0 and teaches with an example`, async () => {
    const r = await run([...verb, '--help']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stderr, []);
    const help = r.stdout.join('\n');
    assert.match(help, new RegExp(`^Usage: bso ${verb.join(' ')} `));
    const examples = help.match(/^Examples?:$/gm) ?? [];
    assert.equal(examples.length, 1, `${verb.join(' ')} --help has ${examples.length} example sections`);
    const after = help.slice(help.search(/^Examples?:$/m));
    assert.match(after, new RegExp(`^ {2}(cat .*\\| )?bso ${verb.join(' ')}\\b`, 'm'), 'the example does not run the verb');
  });
}

test('bso --help and --version exit 0 on stdout', async () => {
  const help = await run(['--help']);
  assert.deepEqual([help.code, help.stderr], [0, []]);
  assert.match(help.stdout.join('\n'), /Exit codes: 0 success, 1 failure, 2 wrong usage/);
  const version = await run(['--version']);
  assert.deepEqual([version.code, version.stdout], [0, ['0.1.0']]);
});

// A real process: exit codes as a shell sees them, and a pipe on standard input.
function bso(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('as a process: exit 0, 1 and 2, issues on stderr, and -f - from a pipe', { timeout: 120_000 }, () => {
  const ok = bso(['validate', '-f', 'examples/hello.yaml']);
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'examples/hello.yaml: BalancedService hello is valid\n', '']);

  const bad = bso(['validate', '-f', 'crd/testdata/invalid/enum-kind.yaml']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, 'crd/testdata/invalid/enum-kind.yaml:4:7: kind: must be one of: BalancedService\n1 problem found in 1 file.\n');

  const usage = bso(['validate']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /required option '-f, --filename <paths\.\.\.>' not specified/);

  const none = bso([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: bso/);

  const piped = bso(['validate', '-f', '-'], readFileSync(HELLO, 'utf8'));
  assert.deepEqual([piped.code, piped.stdout], [0, '<stdin>: BalancedService hello is valid\n']);
  const pipedBad = bso(['validate', '-f', '-'], 'kind: BalancedService\n');
  assert.equal(pipedBad.code, 1);
  assert.match(pipedBad.stderr, /^<stdin>:1:1: apiVersion: is required$/m);
});

test('output into a closed pipe ends quietly (exit 0, nothing on stderr), as cat or grep do', { timeout: 60_000 }, () => {
  const r = spawnSync('bash', ['-c', `node --import tsx ${join(ROOT, 'cli/main.ts')} get --help 2>"$ERR" | true; echo "\${PIPESTATUS[0]}"`], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ERR: join(scratch, 'epipe.err') },
  });
  assert.equal(r.stdout.trim(), '0');
  assert.equal(readFileSync(join(scratch, 'epipe.err'), 'utf8'), '');
});

test('diff: exit 0 same, 1 differences, 2 when the cluster cannot be reached (naming the endpoint)', async () => {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = 'unix:///nonexistent/bso-cli-test/docker.sock';
  try {
    const r = await run(['diff', '-f', HELLO]);
    assert.equal(r.code, 2);
    assert.match(r.stderr.join('\n'), /^bso diff: cannot reach Docker at unix:\/\/\/nonexistent\/bso-cli-test\/docker\.sock: .*; check DOCKER_HOST$/);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
});

test('apply --dry-run -o json: one document on stdout, the progress on stderr, no cluster touched', async () => {
  const r = await run(['apply', '-f', HELLO, '--dry-run', '-o', 'json']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout.join('\n')), { applied: [{ name: 'hello', result: 'valid (dry run)' }] });
  assert.deepEqual(r.stderr, ['balancedservice/hello valid, would be applied (dry run)']);
});

test('describe -o json: the stored object as the API shows it (a FAKE Docker Engine API holds the spec; no operator: status unknown on stderr)', async () => {
  const { startFakeSwarmApi } = await import('../test/fakes/swarm-api/fake-swarm-api.js');
  const { specConfigBody } = await import('../operator/swarm/spec-store.js');
  const stored = { apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name: 'shop' }, spec: { image: 'bso-hello-api:latest' } };
  const fake = await startFakeSwarmApi({ configs: [specConfigBody('shop', 2, stored, 'h')] });
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = fake.url.replace('http://', 'tcp://');
  try {
    const r = await run(['describe', 'shop', '-o', 'json', '--operator', 'http://127.0.0.1:9']);
    assert.equal(r.code, 0, r.stderr.join('\n'));
    const object = JSON.parse(r.stdout.join('\n')) as { metadata: { name: string; generation: number }; spec: { replicas: number } };
    assert.deepEqual([object.metadata.name, object.metadata.generation, object.spec.replicas], ['shop', 2, 2]);
    assert.match(r.stderr.join('\n'), /^\(status unknown: the operator is not reachable at http:\/\/127\.0\.0\.1:9/);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    await fake.close();
  }
});
