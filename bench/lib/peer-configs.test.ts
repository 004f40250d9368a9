import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PEERS } from './types.js';
import { removeAgentCheck, renderPeerConfig, replicaEnv } from './peer-configs.js';

const serverLine = (text: string) => text.split('\n').find((l) => l.trim().startsWith('server-template'))!;
const balanceOf = (text: string) => /\n\s+balance (\S+)/.exec(text)?.[1];

test('each peer is the real rendering with only its balance and agent-check changed', () => {
  const bso = renderPeerConfig({ peer: 'bso', replicasHost: 'r-all' });
  assert.match(serverLine(bso), /server-template replica \d+ r-all:8080 .* agent-check agent-port 9999 agent-inter 500ms weight 100/);
  assert.equal(balanceOf(bso), 'random(2)');
  const expected: Record<string, [string, boolean]> = {
    'healthy-only': ['leastconn', false], roundrobin: ['roundrobin', false], leastconn: ['leastconn', false], 'seed-agent': ['roundrobin', true], bso: ['random(2)', true],
  };
  for (const peer of PEERS) {
    const text = renderPeerConfig({ peer, replicasHost: 'r-all' });
    assert.equal(balanceOf(text), expected[peer]![0], peer);
    assert.equal(serverLine(text).includes('agent-check'), expected[peer]![1], peer);
    // apart from balance and agent-check, the text is bso's
    const normalise = (t: string) => t.replace(/\n\s+balance \S+/g, '').replace(/ agent-check agent-port \d+ agent-inter \S+/, '');
    assert.equal(normalise(text), normalise(bso), peer);
  }
  assert.throws(() => removeAgentCheck('no agent here'), /no agent-check/);
});

test('the seed agent is binary, unsmoothed, without a minimum maint time; bso keeps its defaults', () => {
  const seed = replicaEnv('seed');
  const bso = replicaEnv('bso');
  assert.equal(seed['BSO_AGENT_WEIGHTING'], 'binary');
  assert.equal(seed['BSO_SMOOTHING'], '0s');
  assert.equal(seed['BSO_MIN_MAINT_TIME'], '0s');
  assert.equal(bso['BSO_AGENT_WEIGHTING'], 'proportional');
  assert.equal(bso['BSO_SMOOTHING'], '1s');
  assert.equal(bso['PORT'], '8080');
  assert.equal(bso['AGENT_PORT'], '9999');
});
