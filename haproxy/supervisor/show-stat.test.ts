import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShowStat, stateOf } from './show-stat.js';

const HEADER = '# pxname,svname,scur,status,weight,type,addr,check_status,agent_status,last_agt';
test('keeps servers with a replica, in slot order, with state, weight, address and agent', () => {
  const csv = [
    HEADER,
    'hello,FRONTEND,3,OPEN,,0,,,,',
    'hello-api,replica10,0,MAINT (resolution),100,2,,,,',
    'hello-api,replica10,0,UP,55,2,10.0.0.9:8080,L7OK,L7OK,ready 55%',
    'hello-api,replica2,4,MAINT,0,2,10.0.0.7:8080,* L7OK,L7OK,maint',
    'hello-api,replica3,0,DOWN 1/2,100,2,10.0.0.8:8080,L4CON,,',
    'hello-api,BACKEND,4,UP,155,1,,,,',
    '',
  ].join('\n');
  assert.deepEqual(parseShowStat(csv), [
    { backend: 'hello-api', name: 'replica2', address: '10.0.0.7:8080', state: 'MAINT', weight: 0, sessions: 4, checkStatus: 'L7OK', agentStatus: 'L7OK', agentDescription: 'maint' },
    { backend: 'hello-api', name: 'replica3', address: '10.0.0.8:8080', state: 'DOWN', weight: 100, sessions: 0, checkStatus: 'L4CON' },
    { backend: 'hello-api', name: 'replica10', address: '10.0.0.9:8080', state: 'UP', weight: 55, sessions: 0, checkStatus: 'L7OK', agentStatus: 'L7OK', agentDescription: 'ready 55%' },
  ]);
});

test('states', () => {
  assert.equal(stateOf('UP 1/3'), 'UP');
  assert.equal(stateOf('MAINT (via be/s1)'), 'MAINT');
  assert.equal(stateOf('DRAIN'), 'DRAIN');
  assert.equal(stateOf('NOLB'), 'NOLB');
  assert.equal(stateOf('no check'), 'UP');
  assert.equal(stateOf('???'), 'UNKNOWN');
});
