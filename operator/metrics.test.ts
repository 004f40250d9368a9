import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorMetrics } from './metrics.js';

async function seriesOf(metrics: OperatorMetrics, name: string): Promise<string[]> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values.map((v) => `${v.labels.balancedservice}/${v.labels.server}${v.labels.state ? `/${v.labels.state}` : ''}=${v.value}`).sort();
}

test('setServersOf replaces one service\'s server series and leaves the others alone', async () => {
  const metrics = new OperatorMetrics();
  metrics.setServersOf('a', [{ name: 'replica1', state: 'UP', weight: 100 }, { name: 'replica2', state: 'MAINT', weight: 0 }]);
  metrics.setServersOf('b', [{ name: 'replica1', state: 'UP', weight: 40 }]);
  metrics.setServersOf('a', [{ name: 'replica1', state: 'MAINT', weight: 0 }]);
  assert.deepEqual(await seriesOf(metrics, 'bso_server_state'), ['a/replica1/MAINT=1', 'b/replica1/UP=1']);
  assert.deepEqual(await seriesOf(metrics, 'bso_server_weight'), ['a/replica1=0', 'b/replica1=40']);
  metrics.setServersOf('b', []);
  assert.deepEqual(await seriesOf(metrics, 'bso_server_weight'), ['a/replica1=0']);
});

test('bso_server_agent_up: 1 or 0 where HAProxy has an agent status, no series where it has none, gone with the server', async () => {
  const metrics = new OperatorMetrics();
  metrics.setServersOf('a', [
    { name: 'replica1', state: 'UP', weight: 80, agentAnswered: true },
    { name: 'replica2', state: 'UP', weight: 76, agentAnswered: false },
    { name: 'replica3', state: 'UP', weight: 100 },
  ]);
  assert.deepEqual(await seriesOf(metrics, 'bso_server_agent_up'), ['a/replica1=1', 'a/replica2=0']);
  metrics.setServersOf('a', [{ name: 'replica1', state: 'UP', weight: 80, agentAnswered: true }]);
  assert.deepEqual(await seriesOf(metrics, 'bso_server_agent_up'), ['a/replica1=1']);
});
