// A real HAProxy (this machine's haproxy, loopback only) with a Kubernetes-discovery config whose
// resolvers ask the endpoints DNS, fed directly through setTable (what the pod feed does; no API
// server): a slot takes a replica's address and goes UP when its record appears, serves
// requests, and goes back to no address (resolution MAINT, which no agent can undo) when the
// record goes away. The path cluster DNS would give: server-template + resolvers, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubernetesReplicasDnsName } from '../../contract/names.js';
import { renderServiceConfig } from '../../haproxy/render/render-service.js';
import { slotsFor } from '../../haproxy/render/slots.js';
import { HAProxyProcess } from '../../haproxy/supervisor/haproxy-process.js';
import { sendCommand } from '../../haproxy/supervisor/runtime-api.js';
import { parseShowStat } from '../../haproxy/supervisor/show-stat.js';
import { loadSpec } from '../../bench/lib/loopback/spec-file.js';
import { freePort, startReplica, type Replica } from '../../bench/lib/loopback/replicas.js';
import { waitFor } from '../../bench/lib/run.js';
import { EndpointsDns } from './endpoints-dns.js';

const HAPROXY = process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy';
const NAMESPACE = 'bso-test';

test('HAProxy asks the endpoints DNS: a record fills a slot that goes UP; without it the slot has no address again', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-endpoints-dns-'));
  const dns = new EndpointsDns({ namespace: NAMESPACE });
  const { address, port } = await dns.listen('127.0.0.1', 0);
  const replicas: Replica[] = [];
  const configFile = join(dir, 'haproxy.cfg');
  const haproxy = new HAProxyProcess({
    haproxy: HAPROXY, configFile, masterSocket: join(dir, 'master.sock'),
    env: { PATH: process.env.PATH, BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'stats-password' },
  });
  t.after(async () => {
    await haproxy.stop(2000);
    await Promise.all(replicas.map((r) => r.close()));
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const first = await startReplica('127.0.0.2', 0, 0);
  replicas.push(first, await startReplica('127.0.0.3', first.httpPort, first.agentPort));

  const spec = structuredClone(loadSpec('examples/hello.yaml'));
  spec.spec.port = first.httpPort;
  spec.spec.agent.port = first.agentPort;
  spec.spec.agent.interval = '300ms';
  spec.spec.healthCheck.interval = '500ms';
  spec.spec.haproxy.port = await freePort();
  spec.spec.haproxy.statsPort = await freePort();
  spec.spec.haproxy.slowstart = '0s';
  const runtimeSocket = join(dir, 'runtime.sock');
  const { text } = renderServiceConfig(spec, {
    discovery: { kind: 'kubernetes', namespace: NAMESPACE, nameserver: `${address}:${port}` },
    slots: slotsFor(spec.spec.replicas),
    bindAddress: '127.0.0.1',
    paths: { runtimeSocket, serverStateFile: join(dir, 'server-state') },
  });
  assert.match(text, new RegExp(`^ {4}nameserver dns 127\\.0\\.0\\.1:${port}$`, 'm'));
  writeFileSync(configFile, text);
  await haproxy.start();

  const name = kubernetesReplicasDnsName('hello', NAMESPACE);
  const backend = 'hello-api';
  const stat = () => sendCommand(runtimeSocket, 'show stat');
  /** The agent-checked backend's slots that have a replica: address -> state. */
  const filled = async () => Object.fromEntries(parseShowStat(await stat()).filter((s) => s.backend === backend).map((s) => [s.address ?? '', s.state]));
  /** Slots left in resolution MAINT (no address). */
  const empty = async () => (await stat()).split('\n').filter((line) => line.startsWith(`${backend},`) && line.includes(',MAINT (resolution),')).length;
  const slots = slotsFor(spec.spec.replicas);
  const at = (host: string) => `${host}:${first.httpPort}`;

  await waitFor('HAProxy resolving (NXDOMAIN: every slot empty)', 10_000, async () => (await empty()) === slots, 200);
  assert.deepEqual(await filled(), {});

  dns.setTable(new Map([[name, ['127.0.0.2']]]));
  await waitFor('127.0.0.2 in a slot, UP', 15_000, async () => (await filled())[at('127.0.0.2')] === 'UP', 200);
  const reply = await fetch(`http://127.0.0.1:${spec.spec.haproxy.port}/`);
  assert.equal(await reply.text(), 'replica 127.0.0.2\n', 'requests reach the replica the DNS named');

  dns.setTable(new Map([[name.toUpperCase(), ['127.0.0.2', '127.0.0.3']]]));
  await waitFor('both replicas UP', 15_000, async () => {
    const now = await filled();
    return now[at('127.0.0.2')] === 'UP' && now[at('127.0.0.3')] === 'UP';
  }, 200);
  assert.equal(await empty(), slots - 2);

  dns.setTable(new Map([[name, ['127.0.0.3']]]));
  await waitFor('127.0.0.2 gone from its slot (after hold obsolete)', 20_000, async () => {
    const now = await filled();
    return !(at('127.0.0.2') in now) && now[at('127.0.0.3')] === 'UP';
  }, 200);
  assert.equal(await empty(), slots - 1, 'its slot has no address again');

  dns.setTable(new Map());
  await waitFor('every slot without an address (NXDOMAIN, after hold nx)', 20_000, async () => (await empty()) === slots, 200);
  assert.deepEqual(await filled(), {});
  const refused = await fetch(`http://127.0.0.1:${spec.spec.haproxy.port}/`);
  assert.equal(refused.status, 503, 'no replica, no server');
});
