// The writer and the reader of the agent reply, pinned together: what the agent writes is what
// the panic guard reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_STATES, formatAgentReply, parseAgentReply } from './agent-reply.js';

test('every reply the agent writes is read back with its state and load', () => {
  for (const state of AGENT_STATES) {
    for (const load of [undefined, 0, 42.4, 1e9]) {
      const line = formatAgentReply(state, 55, load, 7);
      assert.match(line, /^[ -~]*\n$/, 'one ASCII line');
      const answer = parseAgentReply(line);
      assert.equal(answer.state, state, line);
      assert.equal(answer.loadPercent, state === 'maint' && load !== undefined ? Math.min(9999, Math.round(load)) : undefined, line);
    }
  }
  assert.equal(formatAgentReply('ready', 55, undefined, 7), 'ready 55% maxconn:7\n');
});

test('parseAgentReply reads the state and bso\'s #load comment', () => {
  assert.deepEqual(parseAgentReply('maint #load=93\n'), { state: 'maint', loadPercent: 93 });
  assert.deepEqual(parseAgentReply('ready 55% #load=40'), { state: 'ready', loadPercent: 40 });
  assert.deepEqual(parseAgentReply('maint\n'), { state: 'maint' });
  assert.deepEqual(parseAgentReply('drain'), { state: 'drain' });
  assert.deepEqual(parseAgentReply('75%'), { state: 'other' });
  assert.deepEqual(parseAgentReply('maint #load=abc'), { state: 'maint' });
  assert.deepEqual(parseAgentReply(''), { state: 'other' });
});
