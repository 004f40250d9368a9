#!/usr/bin/env node
// Runs the test suites with Node's own test runner (TypeScript through tsx).
//   unit         *.test.ts         Node only, no peers, in parallel
//   integration  *.int.test.ts     real peers on loopback (haproxy, prometheus, sockets), one file at a time
//   k8s          *.k8s.test.ts     a real Kubernetes control plane (npm run k8s:up), one file at a time;
//                                  its kubeconfig in BSO_TEST_KUBECONFIG, else the tier is skipped, saying so
//   e2e          *.e2e.test.ts     a real dockerd and Swarm (run `npm run setup` first), one file at a time
//   faults       *.fault.test.ts   fault injection and hostile input (test/faults/); prints the table of
//                                  faults, figures and losses at the end (also test/faults/results/latest.md)
//   all          the five above, in that order (what CI runs), every fault row included; with
//                BSO_SKIP_LONG_FAULTS=1 it leaves out the files marked `// fault-suite: long`
//                (rows 8, 9, 10: about 6 minutes together), for a quicker run by hand
// BSO_TEST_K8S_UP=1 (npm run test:all and test:k8s set it): the k8s tier starts a control plane
// and a node that runs pods with npm run k8s:up -- --pods when BSO_TEST_KUBECONFIG is unset (and
// sets BSO_TEST_K8S_PODS=1), and stops it after the tier when it was not already up.
// Extra arguments filter files by substring: `node scripts/run-tests.mjs unit agent`.
// Unit files run in one parallel run; the others one file at a time, each in its own process
// group with a time budget (BSO_TEST_FILE_TIMEOUT seconds, default 600): a file that hangs is
// killed with everything it started, named, and counted as failed, and the rest still run.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const SKIP = new Set(['node_modules', 'dist', '.git', 'testdata']);
const KINDS = {
  unit: (f) => f.endsWith('.test.ts') && !/\.(int|k8s|e2e|fault)\.test\.ts$/.test(f),
  integration: (f) => f.endsWith('.int.test.ts'),
  k8s: (f) => f.endsWith('.k8s.test.ts'),
  e2e: (f) => f.endsWith('.e2e.test.ts'),
  faults: (f) => f.endsWith('.fault.test.ts'),
};

function listFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listFiles(path, out);
    else out.push(relative(root, path));
  }
  return out;
}

const [kindArg = 'unit', ...filters] = process.argv.slice(2);
const kinds = kindArg === 'all' ? ['unit', 'integration', 'k8s', 'e2e', 'faults'] : [kindArg];
if (!kinds.every((k) => k in KINDS)) {
  console.error(`usage: run-tests.mjs unit|integration|k8s|e2e|faults|all [filter...]`);
  process.exit(2);
}
const files = listFiles(root).sort();
const LONG_MARK = /^\/\/ fault-suite: long\b/m;
const isLongFaultTest = (file) => process.env.BSO_SKIP_LONG_FAULTS === '1' && LONG_MARK.test(readFileSync(join(root, file), 'utf8'));
if (process.env.BSO_LIST_TESTS === '1') {
  for (const kind of kinds) {
    for (const f of files.filter(KINDS[kind]).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))) {
      if (!(kindArg === 'all' && kind === 'faults' && isLongFaultTest(f))) console.log(`${kind}\t${f}`);
    }
  }
  process.exit(0);
}
const FILE_BUDGET_S = Number(process.env.BSO_TEST_FILE_TIMEOUT ?? 600);

/** Runs one node --test process in its own process group; kills the group after budgetS. */
function runGroup(args, env, budgetS) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env, detached: true });
    let timedOut = false;
    const timer = budgetS > 0 ? setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, budgetS * 1000) : undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* nothing left */ }
      resolve({ ok: code === 0 && !timedOut, timedOut, code, signal });
    });
  });
}

/**
 * npm run k8s:up -- --pods (BSO_TEST_K8S_UP=1): the control plane and a node that runs pods;
 * whether it was already up, and its kubeconfig (its last line).
 */
function startControlPlane() {
  const wasUp = spawnSync('bash', ['-c', 'source scripts/lib.sh; source scripts/k8s/lib.sh; k8s_running && k8s_node_running'], { cwd: root }).status === 0;
  const up = spawnSync('bash', [join(root, 'scripts/k8s/up.sh'), '--pods'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const kubeconfig = up.stdout.trim().split('\n').at(-1) ?? '';
  return { ok: up.status === 0 && kubeconfig !== '', wasUp, kubeconfig };
}

let failed = false;
const problems = [];
for (const kind of kinds) {
  const selected = files.filter(KINDS[kind])
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .filter((f) => !(kindArg === 'all' && kind === 'faults' && isLongFaultTest(f)));
  if (selected.length === 0) {
    console.log(`# ${kind}: no test files${filters.length ? ' match ' + filters.join(' ') : ''}`);
    continue;
  }
  let stopControlPlane = false;
  if (kind === 'k8s' && !process.env.BSO_TEST_KUBECONFIG) {
    if (process.env.BSO_TEST_K8S_UP !== '1') {
      console.log(`# k8s: SKIPPED ${selected.length} files: no Kubernetes control plane (BSO_TEST_KUBECONFIG is unset; npm run test:k8s and npm run test:all start one)`);
      continue;
    }
    const up = startControlPlane();
    if (!up.ok) {
      failed = true;
      problems.push(`k8s: the control plane did not start (npm run k8s:up), so ${selected.length} files did not run`);
      continue;
    }
    process.env.BSO_TEST_KUBECONFIG = up.kubeconfig;
    // Tests that need pods fail (rather than skip) when the node is missing.
    process.env.BSO_TEST_K8S_PODS = '1';
    stopControlPlane = !up.wasUp;
  }
  console.log(`# ${kind}: ${selected.length} files`);
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec'];
  const env = { ...process.env };
  const rowsFile = join(root, 'test/faults/results/rows.jsonl');
  if (kind === 'faults') {
    mkdirSync(join(root, 'test/faults/results'), { recursive: true });
    rmSync(rowsFile, { force: true });
    env.BSO_FAULTS_REPORT = rowsFile;
  }
  if (kind === 'unit') {
    const result = spawnSync(process.execPath, [...args, ...selected], { cwd: root, stdio: 'inherit', env });
    if (result.status !== 0) { failed = true; problems.push(`unit: failed (exit ${result.status})`); }
  } else {
    for (const file of selected) {
      const started = Date.now();
      console.log(`## ${file}`);
      const result = await runGroup([...args, file], env, FILE_BUDGET_S);
      const took = Math.round((Date.now() - started) / 1000);
      if (result.timedOut) console.log(`## ${file}: TIMED OUT after ${took} s (BSO_TEST_FILE_TIMEOUT=${FILE_BUDGET_S}); killed with its process group`);
      else console.log(`## ${file}: ${result.ok ? 'passed' : 'FAILED'} in ${took} s`);
      if (!result.ok) { failed = true; problems.push(`${kind}: ${file} ${result.timedOut ? `timed out after ${took} s` : 'failed'}`); }
    }
  }
  if (stopControlPlane) {
    spawnSync('bash', [join(root, 'scripts/k8s/down.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    delete process.env.BSO_TEST_KUBECONFIG;
  }
  if (kind === 'faults') {
    spawnSync(process.execPath, [join(root, 'scripts/print-fault-table.mjs'), rowsFile, '--out', join(root, 'test/faults/results/latest.md')], { stdio: 'inherit' });
  }
}
if (problems.length > 0) console.log(`\n# not passed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
process.exit(failed ? 1 : 0);
