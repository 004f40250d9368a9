import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatsCsv, stateWord } from './haproxy-stats.js';

test('servers of one backend from the stats CSV', () => {
  const csv = [
    '# pxname,svname,qcur,status,weight,addr,',
    'bench,FRONTEND,,OPEN,,,',
    'bench-api,replica1,0,UP,100,10.0.0.2:8080,',
    'bench-api,replica2,0,MAINT,0,10.0.0.3:8080,',
    'bench-api,replica3,0,MAINT (resolution),1,,',
    'bench-api,BACKEND,0,UP,200,,',
    'stats,FRONTEND,,OPEN,,,',
    '',
  ].join('\n');
  assert.deepEqual(parseStatsCsv(csv, 'bench-api'), [
    { name: 'replica1', status: 'UP', weight: 100, address: '10.0.0.2' },
    { name: 'replica2', status: 'MAINT', weight: 0, address: '10.0.0.3' },
    { name: 'replica3', status: 'MAINT (resolution)', weight: 1, address: '' },
  ]);
  assert.throws(() => parseStatsCsv('# a,b\n', 'x'), /without/);
  assert.equal(stateWord('UP 1/3'), 'UP');
});
