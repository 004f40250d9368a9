// Each image's program loads only its own code: the replica (api/main.ts) no operator, HAProxy
// or CLI code and no Docker, Kubernetes or schema-validator package; the HAProxy supervisor no
// operator or replica code and no orchestrator client. Read statically from the sources
// (test/support/import-graph.ts); type-only imports do not count (the compiler erases them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importGraph } from '../../scripts/import-graph.js';

const under = (prefixes: string[]) => (m: string) => prefixes.some((p) => m.startsWith(p));

test('the replica (api/main.ts) loads no operator, HAProxy or CLI code, and neither dockerode, client-node nor Ajv', () => {
  const { modules, packages } = importGraph('api/main.ts');
  assert.deepEqual([...modules].filter(under(['operator/', 'haproxy/', 'cli/'])), []);
  for (const name of ['dockerode', '@kubernetes/client-node', 'ajv', 'yaml']) assert.equal(packages.get(name), undefined, `${name} is imported by ${packages.get(name)}`);
  assert.ok(modules.has('contract/agent-reply.ts'), 'the agent reply comes from the contract');
});

test('the HAProxy supervisor (haproxy/supervisor/main.ts) loads no operator or replica code, and no orchestrator client', () => {
  const { modules, packages } = importGraph('haproxy/supervisor/main.ts');
  assert.deepEqual([...modules].filter(under(['operator/', 'api/', 'cli/'])), []);
  for (const name of ['dockerode', '@kubernetes/client-node']) assert.equal(packages.get(name), undefined, `${name} is imported by ${packages.get(name)}`);
  assert.ok(modules.has('contract/supervisor-protocol.ts'));
});

test('a worker thread\'s module, loaded by path, is part of the program: the agent worker is in the replica', () => {
  assert.ok(importGraph('api/main.ts').modules.has('api/agent/agent-worker.ts'));
});
