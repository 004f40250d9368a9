import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPlacement } from './server-placement.js';

test('each server gets the running task at its address, with the short container ID; others are left as they are', () => {
  const servers = [
    { name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 100 },
    { name: 'replica2', address: '10.0.1.6', state: 'MAINT', weight: 0 },
    { name: 'replica3', address: '10.0.1.9', state: 'UP', weight: 80 },
  ];
  const tasks = [
    { id: 't2', name: 'hello-api.1', slot: 1, node: 'n', state: 'running', address: '10.0.1.6', containerId: '0123456789abcdef0123' },
    { id: 't1', name: 'hello-api.2', slot: 2, node: 'n', state: 'running', address: '10.0.1.5', containerId: 'containerd://fedcba9876543210' },
    { id: 't0', name: 'hello-api.3', slot: 3, node: 'n', state: 'shutdown', address: '10.0.1.9' },
  ];
  assert.deepEqual(withPlacement(servers, tasks), [
    { name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 100, task: 'hello-api.2', container: 'fedcba987654' },
    { name: 'replica2', address: '10.0.1.6', state: 'MAINT', weight: 0, task: 'hello-api.1', container: '0123456789ab' },
    { name: 'replica3', address: '10.0.1.9', state: 'UP', weight: 80 },
  ]);
});
