import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCpuRatio, computeMemoryRatio, selectLoad, type ProbeReading } from './load.js';

const reading = (atMs: number, cpuSeconds: number, cores = 2): ProbeReading =>
  ({ atMs, cpuSeconds, cpuLimitCores: cores, memoryBytes: 64, memoryLimitBytes: 256 });

test('computeCpuRatio: CPU seconds per second per core', () => {
  assert.equal(computeCpuRatio(reading(0, 10), reading(1000, 11)), 0.5);
  assert.equal(computeCpuRatio(reading(0, 10, 0.5), reading(500, 10.25, 0.5)), 1);
  assert.equal(computeCpuRatio(reading(0, 10), reading(250, 10)), 0);
});

test('computeCpuRatio: unknown when time stood still, the counter went back or there is no limit', () => {
  assert.equal(computeCpuRatio(reading(5, 10), reading(5, 11)), undefined);
  assert.equal(computeCpuRatio(reading(0, 10), reading(1000, 9)), undefined);
  assert.equal(computeCpuRatio(reading(0, 10, 0), reading(1000, 11, 0)), undefined);
});

test('computeMemoryRatio and selectLoad', () => {
  assert.equal(computeMemoryRatio(reading(0, 0)), 0.25);
  assert.equal(computeMemoryRatio({ ...reading(0, 0), memoryLimitBytes: 0 }), undefined);
  assert.equal(selectLoad('cpu', 0.3, 0.7), 0.3);
  assert.equal(selectLoad('memory', 0.3, 0.7), 0.7);
  assert.equal(selectLoad('max', 0.3, 0.7), 0.7);
  assert.equal(selectLoad('max', 0.9, 0.7), 0.9);
});
