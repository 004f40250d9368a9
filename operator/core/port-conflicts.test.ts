import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portConflictsFor } from './port-conflicts.js';
import { loadExample } from '../../test/operator/specs.js';

test('the later spec publishing the same port gets the conflict; the older keeps it', () => {
  const a = { object: loadExample(), createdAt: '2026-01-01T00:00:00Z' };
  const b = { object: loadExample((t) => t.replace('name: hello', 'name: second').replace('statsPort: 8404', 'statsPort: 8405')), createdAt: '2026-01-02T00:00:00Z' };
  assert.deepEqual(portConflictsFor('hello', [a, b]), []);
  assert.deepEqual(portConflictsFor('second', [a, b]), ['port 80 is already published by BalancedService hello']);
});
