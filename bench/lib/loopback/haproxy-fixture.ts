// A whole HAProxy data plane on loopback for integration tests: a fake DNS server answering
// tasks.<name>-api, replicas on 127.0.0.N, the operator's config endpoint on a real HTTP server,
// and the supervisor (with a real HAProxy) pulling configs from it over HTTP.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BalancedService } from '../../../crd/types.generated.js';
import { swarmReplicasDnsName } from '../../../contract/names.js';
import { createConfigEndpoint, type ConfigEndpoint, type ServedConfig } from '../../../operator/config-endpoint.js';
import type { StatusReport } from '../../../contract/supervisor-protocol.js';
import { panicBackendName } from '../../../haproxy/render/build-model.js';
import { hashConfigText } from '../../../haproxy/render/config-hash.js';
import { renderServiceConfig } from '../../../haproxy/render/render-service.js';
import { slotsFor } from '../../../haproxy/render/slots.js';
import type { ApplyResult } from '../../../haproxy/supervisor/apply-config.js';
import { builtInBootstrapConfig } from '../../../haproxy/supervisor/bootstrap-config.js';
import { pullConfigs } from '../../../haproxy/supervisor/config-client.js';
import { SupervisorMetrics } from '../../../haproxy/supervisor/metrics.js';
import { runOnWorker, sendCommand } from '../../../haproxy/supervisor/runtime-api.js';
import { parseShowStat, type ServerReport } from '../../../haproxy/supervisor/show-stat.js';
import { sendStatusReport } from '../../../haproxy/supervisor/status-reporter.js';
import { Supervisor } from '../../../haproxy/supervisor/supervisor.js';
import { FakeDns } from './fake-dns.js';
import { loadSpec } from './spec-file.js';
import { freePort, startReplica, type Replica } from './replicas.js';

export const TOKEN = 'test-token-0123456789';
export const HAPROXY = process.env.BSO_HAPROXY_BIN ?? '/usr/sbin/haproxy';

export interface FixtureOptions {
  /** Replicas started (on 127.0.0.2 ...); the first `replicas` of them are in DNS. */
  replicaServers: number;
  replicas: number;
  minReloadIntervalMs?: number;
  /** false: let HAProxy find a busy port itself (the reload fails). */
  checkBinds?: boolean;
}

export class Fixture {
  readonly dns = new FakeDns();
  readonly metrics = new SupervisorMetrics();
  readonly reports: StatusReport[] = [];
  readonly updates: Array<ApplyResult & { hash: string }> = [];
  readonly replicas: Replica[] = [];
  readonly logs: string[] = [];
  spec!: BalancedService;
  slots = 0;
  frontendPort = 0;
  statsPort = 0;
  supervisor!: Supervisor;
  private dnsAddress = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'bso-haproxy-'));
  private served: ServedConfig | undefined;
  private servedAt = 0;
  private endpoint!: ConfigEndpoint;
  private server!: Server;
  private readonly abort = new AbortController();
  private pulling: Promise<void> = Promise.resolve();
  private waiters: Array<{ hash: string; resolve: (r: ApplyResult & { hash: string }) => void }> = [];

  static async start(options: FixtureOptions): Promise<Fixture> {
    const fixture = new Fixture();
    await fixture.init(options);
    return fixture;
  }

  get name(): string { return this.spec.metadata.name; }
  get url(): string { return `http://127.0.0.1:${this.frontendPort}/`; }
  get masterSocket(): string { return this.supervisor.masterSocket; }

  private async init(options: FixtureOptions): Promise<void> {
    this.dnsAddress = await this.dns.start();
    let httpPort = 0;
    let agentPort = 0;
    for (let i = 0; i < options.replicaServers; i++) {
      const replica = await startReplica(`127.0.0.${i + 2}`, httpPort, agentPort);
      httpPort = replica.httpPort;
      agentPort = replica.agentPort;
      this.replicas.push(replica);
    }
    this.frontendPort = await freePort();
    this.statsPort = await freePort();
    const spec = structuredClone(loadSpec('examples/hello.yaml'));
    spec.spec.replicas = options.replicas;
    spec.spec.port = httpPort;
    spec.spec.agent.port = agentPort;
    spec.spec.agent.interval = '300ms';
    spec.spec.healthCheck.interval = '500ms';
    spec.spec.haproxy.port = this.frontendPort;
    spec.spec.haproxy.statsPort = this.statsPort;
    spec.spec.haproxy.slowstart = '0s';
    this.spec = spec;
    this.slots = slotsFor(options.replicas);
    this.setDnsReplicas(options.replicas);

    this.endpoint = createConfigEndpoint({
      token: TOKEN,
      configFor: (name) => (name === this.name ? this.served : undefined),
      onStatus: (_name, report) => { this.reports.push(report); },
    });
    this.server = createServer((req, res) => this.endpoint.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    const operatorUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const runDir = join(this.dir, 'run');
    this.supervisor = new Supervisor({
      name: this.name,
      haproxy: HAPROXY,
      runDir,
      bootstrap: builtInBootstrapConfig(runDir),
      env: { PATH: process.env.PATH, BSO_STATS_USER: 'admin', BSO_STATS_PASSWORD: 'stats-password' },
      metrics: this.metrics,
      minReloadIntervalMs: options.minReloadIntervalMs ?? 200,
      maxOldWorkers: 4,
      oldWorkersWaitMs: 5000,
      checkBinds: options.checkBinds,
      log: (line) => this.logs.push(line),
      onReport: (report) => sendStatusReport(operatorUrl, this.name, TOKEN, report),
      onUpdate: (result) => {
        this.updates.push(result);
        for (const w of this.waiters.filter((x) => x.hash === result.hash)) w.resolve(result);
        this.waiters = this.waiters.filter((x) => x.hash !== result.hash);
      },
    });
    this.serve(this.spec);
    await this.supervisor.start(1000);
    this.pulling = pullConfigs({
      operatorUrl, name: this.name, token: () => TOKEN, waitMs: 5000, signal: this.abort.signal,
      onConfig: (text, hash) => this.supervisor.offer(text, hash),
      minBackoffMs: 100, maxBackoffMs: 1000,
    });
  }

  /** Puts DNS answers for the first n replicas, like Swarm does when scaling. */
  setDnsReplicas(n: number): void {
    this.dns.set(swarmReplicasDnsName(this.name), this.replicas.slice(0, n).map((r) => r.address));
  }

  render(spec: BalancedService = this.spec): string {
    this.slots = slotsFor(spec.spec.replicas, this.slots);
    return renderServiceConfig(spec, {
      discovery: { kind: 'swarm', nameserver: this.dnsAddress },
      slots: this.slots,
      bindAddress: '127.0.0.1',
      paths: { runtimeSocket: join(this.dir, 'run', 'runtime.sock'), serverStateFile: join(this.dir, 'run', 'server-state') },
    }).text;
  }

  /** Hash of the config being served. */
  get servedHash(): string | undefined { return this.served?.hash; }

  /** Serves a spec (rendered) or raw config text through the endpoint; returns its hash. */
  serve(specOrText: BalancedService | string): string {
    if (typeof specOrText !== 'string') this.spec = specOrText;
    const text = typeof specOrText === 'string' ? specOrText : this.render(specOrText);
    this.served = { text, hash: hashConfigText(text) };
    this.servedAt = this.updates.length;
    this.endpoint.notify(this.name);
    return this.served.hash;
  }

  /** Waits for the supervisor's outcome for the config with this hash, served last. */
  outcomeOf(hash: string, timeoutMs = 30_000, since = this.servedAt): Promise<ApplyResult & { hash: string }> {
    const done = this.updates.slice(since).find((u) => u.hash === hash);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no outcome for config ${hash.slice(0, 12)} within ${timeoutMs} ms; log:\n${this.logs.slice(-10).join('\n')}`)), timeoutMs);
      this.waiters.push({ hash, resolve: (r) => { clearTimeout(timer); resolve(r); } });
    });
  }

  async showProc() {
    return this.supervisor.haproxy.showProc();
  }

  async onWorker(command: string): Promise<string> {
    const worker = (await this.showProc()).workers[0];
    if (!worker) throw new Error('no worker');
    return sendCommand(this.masterSocket, `@!${worker.pid} ${command}`);
  }

  async runtime(commands: string[]): Promise<void> {
    const worker = (await this.showProc()).workers[0]!;
    const errors = await runOnWorker(this.masterSocket, worker.pid, commands);
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  /** The agent-checked servers (the panic guard's backend <name>-panic is left out). */
  async servers(): Promise<ServerReport[]> {
    return parseShowStat(await this.onWorker('show stat')).filter((s) => s.backend !== panicBackendName(this.name));
  }

  /** Polls until `check` holds for HAProxy's servers. */
  async waitForServers(check: (servers: ServerReport[]) => boolean, what: string, timeoutMs = 20_000): Promise<ServerReport[]> {
    const deadline = Date.now() + timeoutMs;
    let last: ServerReport[] = [];
    while (Date.now() < deadline) {
      try {
        last = await this.servers();
        if (check(last)) return last;
      } catch {
        // reloading
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; servers: ${JSON.stringify(last)}`);
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.endpoint.close();
    await this.pulling;
    await this.supervisor.stop(2000);
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    await Promise.all(this.replicas.map((r) => r.close()));
    await this.dns.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
