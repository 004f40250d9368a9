import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShowProc } from './show-proc.js';

test('parses the 2.6 show proc table with workers and old workers', () => {
  const table = parseShowProc(`#<PID>          <type>          <reloads>       <uptime>        <version>
10085           master          2 [failed: 1]   0d00h00m09s     2.6.12-1+deb12u4
# workers
10114           worker          0               0d00h00m02s     2.6.12-1+deb12u4
# old workers
10088           worker          1               0d00h00m05s     2.6.12-1+deb12u4
10080           worker          3               0d00h01m05s     2.6.12-1+deb12u4
# programs

`);
  assert.deepEqual(table.master, { pid: 10085, reloads: 2, failed: 1, uptime: '0d00h00m09s' });
  assert.deepEqual(table.workers.map((w) => [w.pid, w.reloads]), [[10114, 0]]);
  assert.deepEqual(table.oldWorkers.map((w) => [w.pid, w.reloads]), [[10088, 1], [10080, 3]]);
});

test('refuses an answer without a master line', () => {
  assert.throws(() => parseShowProc('Unknown command'), /not a show proc answer/);
});
