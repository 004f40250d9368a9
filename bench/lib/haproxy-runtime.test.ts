import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServersState } from './haproxy-runtime.js';

test('server addresses from show servers state', () => {
  const text = [
    '1',
    '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight',
    '3 bench-api 1 replica1 172.19.0.2 2 0 100 100',
    '3 bench-api 2 replica2 172.19.0.3 2 1 100 100',
    '3 bench-api 3 replica3 - 0 32 100 100',
    '3 bench-api 4 replica4 0.0.0.0 0 32 100 100',
    '',
  ].join('\n');
  assert.deepEqual([...parseServersState(text)], [['replica1', '172.19.0.2'], ['replica2', '172.19.0.3']]);
  assert.equal(parseServersState('garbage').size, 0);
});
