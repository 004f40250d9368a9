// Processes of a quiet bso deployment on loopback, for measuring their CPU at idle (scenario 7):
// the HAProxy supervisor as its own process (real HAProxy, checking one bso-api replica every
// 2 s with health and agent checks, configs pulled from a config endpoint here), and the operator
// as its own process (`bso operator --backend=kubernetes` against a real Kubernetes API server,
// given as a kubeconfig, no spec stored: nothing to do but watch and resync). Without a kubeconfig
// the operator is not started (the bench does not measure the product against a fake).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { swarmReplicasDnsName } from '../../contract/names.js';
import { createConfigEndpoint } from '../../operator/config-endpoint.js';
import { renderServiceConfig } from '../../haproxy/render/render-service.js';
import { FakeDns } from './loopback/fake-dns.js';
import { HAPROXY } from './loopback/haproxy-fixture.js';
import { loadSpec } from './loopback/spec-file.js';
import { freePort } from './loopback/replicas.js';
import { cliEntry, entryFor, ROOT } from './cp-entry.js';

/** The config endpoint's token for the supervisor. */
const TOKEN = 'bench-idle-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface IdleStack {
  supervisorPid: number;
  /** Undefined when no kubeconfig was given. */
  operatorPid: number | undefined;
  /** The supervisor got its config and HAProxy sees the replica UP. */
  reports: number;
  lastServerState(): string | undefined;
  stop(): Promise<void>;
}

function track(child: ChildProcess, label: string): () => string {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); });
  child.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); });
  child.once('exit', (code, signal) => { output += `\n[${label} exited ${code ?? signal}]`; });
  return () => output;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

/**
 * Starts the supervisor for a replica at 127.0.0.1 (httpPort, agentPort), and the Kubernetes
 * operator when `kubeconfig` names a real API server's.
 */
export async function startIdleStack(replica: { httpPort: number; agentPort: number }, kubeconfig?: string): Promise<IdleStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bso-bench-idle-'));
  const runDir = join(dir, 'run');
  const dns = new FakeDns();
  const nameserver = await dns.start();
  const spec = structuredClone(loadSpec('examples/hello.yaml'));
  spec.metadata.name = 'bench-idle';
  spec.spec.replicas = 1;
  spec.spec.port = replica.httpPort;
  spec.spec.agent.port = replica.agentPort;
  spec.spec.haproxy.port = await freePort();
  spec.spec.haproxy.statsPort = await freePort();
  dns.set(swarmReplicasDnsName(spec.metadata.name), ['127.0.0.1']);
  const served = renderServiceConfig(spec, {
    discovery: { kind: 'swarm', nameserver }, slots: 16, bindAddress: '127.0.0.1',
    paths: { runtimeSocket: join(runDir, 'runtime.sock'), serverStateFile: join(runDir, 'server-state') },
  });
  let reports = 0;
  let lastState: string | undefined;
  const endpoint = createConfigEndpoint({
    token: TOKEN,
    configFor: (name) => (name === spec.metadata.name ? served : undefined),
    onStatus: (_name, report) => { reports += 1; lastState = report.servers.find((s) => s.address?.startsWith('127.0.0.1'))?.state; },
  });
  const server: Server = createServer((req, res) => endpoint.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointPort = (server.address() as { port: number }).port;
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  writeFileSync(join(dir, 'stats-auth'), 'admin:bench-stats-password\n');
  const supervisor = spawn(process.execPath, entryFor('haproxy/supervisor/main.ts').args, {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH, BSO_HAPROXY_NAME: spec.metadata.name, BSO_OPERATOR_URL: `http://127.0.0.1:${endpointPort}`,
      BSO_OPERATOR_TOKEN_FILE: join(dir, 'token'), BSO_STATS_AUTH_FILE: join(dir, 'stats-auth'), BSO_HAPROXY_BIN: HAPROXY,
      BSO_HAPROXY_RUN_DIR: runDir, BSO_HAPROXY_BOOTSTRAP: join(dir, 'none.cfg'), BSO_SUPERVISOR_LISTEN: `127.0.0.1:${await freePort()}`,
    },
  });
  const supervisorOutput = track(supervisor, 'supervisor');

  const operatorPort = await freePort();
  const operator = kubeconfig === undefined ? undefined : spawn(process.execPath, [...cliEntry().args, 'operator', '--backend=kubernetes',
    '--listen', `127.0.0.1:${operatorPort}`, '--advertise-url', `http://127.0.0.1:${operatorPort}`], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig },
  });
  const operatorOutput = operator ? track(operator, 'operator') : () => '';

  const stop = async () => {
    await Promise.all([stopChild(supervisor), operator ? stopChild(operator) : undefined]);
    endpoint.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const operatorUp = !operator || await fetch(`http://127.0.0.1:${operatorPort}/healthz`).then((r) => r.ok, () => false);
      if (operatorUp && lastState === 'UP') break;
      if (Date.now() > deadline) throw new Error(`the idle stack did not come up (operator ${operatorUp ? 'up' : 'down'}, replica ${lastState ?? 'not reported'}):\n${supervisorOutput().slice(-1500)}\n${operatorOutput().slice(-1500)}`);
      await sleep(250);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { supervisorPid: supervisor.pid!, operatorPid: operator?.pid, get reports() { return reports; }, lastServerState: () => lastState, stop };
}
