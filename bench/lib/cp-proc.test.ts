import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuSeconds, parseProcStat, processTree, rssBytes } from './cp-proc.js';

test('parseProcStat reads ppid, utime and stime after a command name with spaces', () => {
  const line = '4242 (node (x) y) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 31 0 0 20 0 11 0 1000 1000000 5000 18446744073709551615';
  assert.deepEqual(parseProcStat(line), { pid: 4242, ppid: 17, cpuTicks: 281 });
});

test('this process: its tree holds itself, CPU time grows with work, RSS is plausible', () => {
  assert.ok(processTree(process.pid).includes(process.pid));
  // Busy until /proc shows 0.1 s more CPU (a shared machine may lend us less than the wall time).
  const before = cpuSeconds([process.pid]);
  const giveUp = performance.now() + 10_000;
  let x = 0;
  while (cpuSeconds([process.pid]) - before < 0.1 && performance.now() < giveUp) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
  }
  assert.ok(cpuSeconds([process.pid]) - before >= 0.1, `busy work counted (${x > 0})`);
  const rss = rssBytes(process.pid);
  assert.ok(rss > 10 * 2 ** 20 && rss < 4 * 2 ** 30, `rss ${rss}`);
});
