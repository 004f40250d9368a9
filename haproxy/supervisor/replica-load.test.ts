import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { parseReplicaLoad, withReplicaLoads } from './replica-load.js';

const METRICS = [
  '# HELP bso_agent_cpu_ratio CPU used by the container relative to its CPU limit',
  '# TYPE bso_agent_cpu_ratio gauge',
  'bso_agent_cpu_ratio{signal="raw"} 0.97',
  'bso_agent_cpu_ratio{signal="smoothed"} 0.9312',
  'bso_agent_memory_ratio{signal="raw"} 0.4',
  'bso_agent_memory_ratio{signal="smoothed"} 0.25',
  '',
].join('\n');

test('parseReplicaLoad takes the smoothed CPU and memory; a text without them gives nothing', () => {
  assert.deepEqual(parseReplicaLoad(METRICS), { cpu: 0.931, memory: 0.25 });
  assert.deepEqual(parseReplicaLoad('up 1\n'), {});
});

const server = createServer((req, res) => {
  if (req.url === '/metrics') res.end(METRICS);
  else { res.statusCode = 404; res.end(); }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
after(() => server.close());

test('withReplicaLoads asks each replica\'s /metrics; one that does not answer, or is DOWN, keeps its report as it was', async () => {
  const servers = [
    { backend: 'b', name: 'replica1', address: `127.0.0.1:${port}`, state: 'UP' as const, weight: 90, sessions: 0 },
    { backend: 'b', name: 'replica2', address: '127.0.0.1:1', state: 'UP' as const, weight: 90, sessions: 0 },
    { backend: 'b', name: 'replica3', address: `127.0.0.1:${port}`, state: 'DOWN' as const, weight: 0, sessions: 0 },
  ];
  const loaded = await withReplicaLoads(servers, 300);
  assert.deepEqual(loaded.map((s) => [s.name, s.cpu, s.memory]), [['replica1', 0.931, 0.25], ['replica2', undefined, undefined], ['replica3', undefined, undefined]]);
});
