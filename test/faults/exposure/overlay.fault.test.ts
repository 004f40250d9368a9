// Row 14: what a neighbour reaches. A throwaway container attached to a BalancedService's overlay
// network (bso creates it attachable) probes HAProxy, its supervisor, the operator and a replica
// (test/faults/exposure/probe.ts): the stats page answers 401 without credentials (200 with
// them: it is reachable), HAProxy's container accepts connections on its frontend, stats and
// supervisor ports only (a scan of all 65535) and none of them speaks the runtime API, whose
// socket and the master socket are Unix sockets; the operator's config endpoint refuses requests
// without its token and has no write route; the replicas' ports are not published on the host.
//   flock /tmp/bso-docker.lock node scripts/run-tests.mjs faults exposure/overlay
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerJson, httpGet, run, waitFor, type OperatorProcess } from '../../e2e/support.js';
import { bsoSource, startOperatorSource } from '../cluster/operator.js';
import { tasksOf } from '../cluster/swarm.js';
import { PROBE_SCRIPT, type ProbeInput, type ProbeResult } from './probe.js';
import { recordFaultRow } from '../fault-table.js';

const NAME = 'bsofcl-expose';
const APP_PORT = 18392;
const STATS_PORT = 18792;
const OPERATOR_PORT = 19492;
const REPLICA_PORT = 28392;
const AGENT_PORT = 29392;
const SUPERVISOR_PORT = 9465;
const PROBE = `bsofcl-probe-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'bsofcl-expose-'));
const specFile = join(work, `${NAME}.yaml`);
let operator: OperatorProcess | undefined;

function writeSpec(): void {
  writeFileSync(specFile, readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8')
    .replace('name: hello', `name: ${NAME}`)
    .replace('replicas: 2', 'replicas: 1')
    .replace('port: 8080', `port: ${REPLICA_PORT}`)
    .replace('port: 9999', `port: ${AGENT_PORT}`)
    .replace('port: 80\n', `port: ${APP_PORT}\n`)
    .replace('statsPort: 8404', `statsPort: ${STATS_PORT}`));
}

/** TCP ports the container listens on, not on a loopback address (from its /proc/net/tcp*). */
async function listeningPorts(container: string): Promise<number[]> {
  const text = (await run('docker', ['exec', container, 'cat', '/proc/net/tcp', '/proc/net/tcp6'])).stdout;
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[3] !== '0A' || !f[1]) continue; // LISTEN
    const [address, port] = f[1].split(':') as [string, string];
    const loopback = /^0100007F$|^0B00007F$/i.test(address) || /^0{24}01000000$/i.test(address) || /^..00007F$/i.test(address);
    if (!loopback) ports.add(parseInt(port, 16));
  }
  return [...ports].sort((a, b) => a - b);
}

function refused(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000, () => { socket.destroy(); resolve('timeout'); });
    socket.once('connect', () => { socket.destroy(); resolve('connected'); });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

before(async () => {
  await bsoSource(['delete', NAME, '--wait', '--timeout', '60s']);
  operator = startOperatorSource(OPERATOR_PORT, join(work, 'operator.log'));
  await waitFor('the operator to be ready (/readyz)', 30_000, () => httpGet(`${operator!.url}/readyz`).then((r) => r.status === 200));
  writeSpec();
  const applied = await bsoSource(['apply', '-f', specFile, '--wait', '--timeout', '150s', '--operator', operator.url]);
  assert.equal(applied.code, 0, applied.out);
});

after(async () => {
  await run('docker', ['rm', '-f', PROBE], { allowFailure: true });
  if (operator) await bsoSource(['delete', NAME, '--wait', '--timeout', '90s']);
  await operator?.stop();
  console.log(`operator log: ${join(work, 'operator.log')}`);
});

test('14. from a container on the overlay: stats 401, no runtime API or master socket on the network, config endpoint needs its token, agent port not on the host', { timeout: 240_000 }, async () => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  try {
    const network = await dockerJson<Array<{ Attachable: boolean }>>(['network', 'inspect', `${NAME}-net`]);
    assert.equal(network[0]!.Attachable, true, 'the overlay is attachable');
    const [haproxyTask] = (await tasksOf(`${NAME}-haproxy`, `${NAME}-net`)).filter((t) => t.state === 'running');
    const [replicaTask] = (await tasksOf(`${NAME}-api`, `${NAME}-net`)).filter((t) => t.state === 'running');
    assert.ok(haproxyTask?.address && replicaTask?.address, 'HAProxy and the replica run');
    const container = (await run('docker', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${NAME}-haproxy`])).stdout.trim().split('\n')[0]!;
    const [service] = await dockerJson<Array<{ Spec: { TaskTemplate: { ContainerSpec: { Env: string[] } } } }>>(['service', 'inspect', `${NAME}-haproxy`]);
    const env = Object.fromEntries(service!.Spec.TaskTemplate.ContainerSpec.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const read = async (file: string) => (await run('docker', ['exec', container, 'cat', file])).stdout.trim();
    const input: ProbeInput = {
      haproxy: haproxyTask.address, appPort: APP_PORT, statsPort: STATS_PORT, supervisorPort: SUPERVISOR_PORT,
      statsAuth: await read(env.BSO_STATS_AUTH_FILE!), operatorUrl: env.BSO_OPERATOR_URL!, name: NAME,
      token: await read(env.BSO_OPERATOR_TOKEN_FILE!), replica: replicaTask.address, agentPort: AGENT_PORT,
    };
    const listening = await listeningPorts(container);
    const sockets = (await run('docker', ['exec', container, 'sh', '-c', 'for s in /var/run/bso-haproxy/*; do [ -S "$s" ] && stat -c "%A %U %n" "$s"; done; true'])).stdout.trim().split('\n').filter(Boolean);

    const probeRun = await run('docker', ['run', '--rm', '--name', PROBE, '--network', `${NAME}-net`, '--entrypoint', 'node', 'bso-hello-api:latest', '-e', PROBE_SCRIPT, JSON.stringify(input)]);
    const probe = JSON.parse(probeRun.stdout.trim().split('\n').pop()!) as ProbeResult;

    // the replicas' ports from the host: not published, nothing listens on any host address
    const [api] = await dockerJson<Array<{ Endpoint?: { Ports?: unknown[] }; Spec: { EndpointSpec?: { Ports?: unknown[] } } }>>(['service', 'inspect', `${NAME}-api`]);
    const published = [...(api!.Endpoint?.Ports ?? []), ...(api!.Spec.EndpointSpec?.Ports ?? [])];
    const hostAddresses = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4').map((a) => a!.address);
    const fromHost = await Promise.all(hostAddresses.flatMap((address) => [AGENT_PORT, REPLICA_PORT].map(async (port) => `${address}:${port} ${await refused(address, port)}`)));
    const reachedFromHost = fromHost.filter((line) => !line.endsWith('ECONNREFUSED'));

    const expectedPorts = [APP_PORT, STATS_PORT, SUPERVISOR_PORT].sort((a, b) => a - b);
    const runtimeOnNetwork = Object.entries(probe.runtimeAnswers).filter(([, yes]) => yes).map(([port]) => port);
    figure = `stats page: ${probe.stats.noAuth} without credentials, ${probe.stats.wrongAuth} with wrong ones, ${probe.stats.rightAuth} with the right ones (POST ${probe.stats.postNoAuth}, ;csv ${probe.stats.csvNoAuth}; /metrics ${probe.stats.metrics}, open by design); ` +
      `HAProxy's container open ports from the overlay (scan of 1-65535): ${probe.openPorts.join(', ')} = frontend, stats, supervisor; runtime API answered on ${runtimeOnNetwork.length} of them; sockets: ${sockets.join('; ')}; ` +
      `supervisor /metrics ${probe.supervisor.metrics}, POST ${probe.supervisor.post}; ` +
      `operator config endpoint: ${probe.operator.noToken} without token, ${probe.operator.wrongToken} with a wrong one, ${probe.operator.rightToken} with the token, status report without token ${probe.operator.statusNoToken}, PUT/DELETE spec ${probe.operator.writeSpec}/${probe.operator.deleteSpec}; ` +
      `replica ports ${REPLICA_PORT} and agent ${AGENT_PORT}: published ${published.length}, from ${hostAddresses.length} host addresses ${reachedFromHost.length ? reachedFromHost.join(', ') : 'all refused'}; the agent answers on the overlay ("${probe.agentReply}")`;
    lost = '-';

    assert.equal(probe.stats.noAuth, 401);
    assert.equal(probe.stats.wrongAuth, 401);
    assert.equal(probe.stats.rightAuth, 200, 'the stats page is reachable with the right credentials');
    assert.equal(probe.stats.postNoAuth, 401);
    assert.equal(probe.stats.csvNoAuth, 401);
    assert.deepEqual(listening, expectedPorts, 'HAProxy\'s container listens on the frontend, stats and supervisor ports only');
    assert.deepEqual(probe.openPorts, expectedPorts, 'the scan finds exactly the listening ports');
    assert.deepEqual(runtimeOnNetwork, [], 'no open port speaks the runtime API');
    assert.equal(sockets.length, 2, `runtime and master sockets: ${sockets.join('; ')}`);
    assert.ok(sockets.every((s) => s.startsWith('srw-------')), `sockets only for their owner: ${sockets.join('; ')}`);
    assert.equal(probe.supervisor.post, 405);
    assert.equal(probe.operator.noToken, 401);
    assert.equal(probe.operator.wrongToken, 401);
    assert.equal(probe.operator.rightToken, 200, 'the config endpoint is reachable from the overlay with the token');
    assert.equal(probe.operator.statusNoToken, 401);
    assert.ok(probe.operator.writeSpec >= 400 && probe.operator.deleteSpec >= 400, 'no write route on the operator');
    assert.deepEqual(published, [], 'the replicas publish no port');
    assert.deepEqual(reachedFromHost, [], 'nothing answers on the agent or app port at a host address');
    assert.match(probe.agentReply, /ready|up|drain|maint|down|%/i, 'the probe reached the agent over the overlay (so the refusals are real)');
    passed = true;
  } finally {
    recordFaultRow({ row: '14', fault: 'a throwaway container on the service\'s overlay probes HAProxy (all 65535 ports), its supervisor, the operator\'s config endpoint and a replica\'s agent; connects to the agent and app ports at every host address', figure, lost, passed });
  }
});
