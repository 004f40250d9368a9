import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderServiceConfig } from '../render/render-service.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { agentPortOf } from './panic-runner.js';

test('agentPortOf finds the agent port of the agent-checked slots, not of the panic backend', () => {
  const spec = structuredClone(loadSpec('examples/hello.yaml'));
  spec.spec.agent.port = 9123;
  const text = renderServiceConfig(spec, { discovery: { kind: 'swarm' }, slots: 16 }).text;
  assert.equal(agentPortOf(text), 9123);
  assert.equal(agentPortOf('backend b\n    server s 10.0.0.1:80 check\n'), undefined);
  assert.equal(agentPortOf('backend b\n    server s 10.0.0.1:80 check agent-check agent-port 70000\n'), undefined);
});
