// The benchmark's testbed on one dockerd, without Swarm: bso-hello-api containers with CPU limits
// on a user-defined bridge network, each reachable through network aliases, so Docker's embedded
// DNS answers a name with one A record per replica exactly as Swarm answers tasks.<service>; the
// REAL rendered HAProxy config (server-template + resolvers + agent-check) runs unchanged in a
// bso-haproxy container per peer. The host reaches every container at its bridge address.
//   replicas  <prefix>-<flavour>-r1..r4   roles healthy, healthy, hot, slow; flavour bso | seed
//   aliases   <prefix>-<flavour>-all | -healthy | -not-hot
//   haproxy   <prefix>-hap-<peer>-<set>   one per peer and replica set, started once, kept
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerIp, docker, removeByPrefix } from './docker-cli.js';
import { waitFor } from './run.js';
import { fetchServerStats, STATS_PASSWORD, STATS_USER, type ServerStat } from './haproxy-stats.js';
import { parseServersState, runtimeCommand } from './haproxy-runtime.js';
import {
  REPLICA_CPUS, REPLICA_SETS, ROLES, peerFlavour, renderPeerConfig, replicaEnv, type Flavour, type ReplicaSet, type Role,
} from './peer-configs.js';
import type { PeerName } from './types.js';

export const BENCH_PREFIX = 'bsobench';
export const API_IMAGE = 'bso-hello-api:latest';
export const HAPROXY_IMAGE = 'bso-haproxy:latest';
/** Inside each replica: the file whose number of ms delays its requests (bso-api's BSO_API_DELAY_FILE). */
const DELAY_FILE = '/tmp/bso-delay-ms';
const HAPROXY_PORT = 80;
const STATS_PORT = 8404;
const BACKEND = 'bench-api';
/** HAProxy's slowstart default (5 s) and a margin: after it every server carries its full weight. */
const SETTLE_MS = 6000;

export interface Replica { flavour: Flavour; role: Role; index: number; name: string; ip: string }
export interface HAProxyInstance {
  peer: PeerName; set: ReplicaSet; name: string; ip: string; port: number; statsPort: number;
  /** The runtime API's socket, bind-mounted to the host. */
  socket: string;
  /** Server name -> replica address, read once its servers resolved. */
  addresses: Map<string, string>;
}
export interface Stress { stop(): Promise<void> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Testbed {
  readonly network = `${BENCH_PREFIX}-net`;
  readonly replicas: Replica[] = [];
  private readonly haproxies = new Map<string, HAProxyInstance>();
  private readonly stresses = new Set<Stress>();

  /**
   * configDir: a short path (the runtime socket's path must fit in 108 bytes); onConfig gets each
   * rendered config, for the results.
   */
  constructor(private readonly configDir: string, private readonly log: (line: string) => void, private readonly onConfig: (key: string, text: string) => void = () => undefined) {}

  async setUp(): Promise<void> {
    await removeByPrefix(BENCH_PREFIX);
    await docker(['network', 'create', '--driver', 'bridge', '--label', 'bso.dev/component=bench', this.network]);
    for (const flavour of ['bso', 'seed'] as const) {
      const env = Object.entries({ ...replicaEnv(flavour), BSO_API_DELAY_FILE: DELAY_FILE }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      await Promise.all(ROLES.map(async (role, index) => {
        const name = `${BENCH_PREFIX}-${flavour}-r${index + 1}`;
        const aliases = (Object.keys(REPLICA_SETS) as ReplicaSet[]).filter((set) => REPLICA_SETS[set].includes(index)).flatMap((set) => ['--network-alias', this.alias(flavour, set)]);
        await docker(['run', '-d', '--name', name, '--hostname', name, '--network', this.network, ...aliases,
          `--cpus=${REPLICA_CPUS}`, '--memory=256m', '--label', 'bso.dev/component=bench', ...env, API_IMAGE]);
        this.replicas.push({ flavour, role, index, name, ip: await containerIp(name, this.network) });
      }));
    }
    this.replicas.sort((a, b) => a.name.localeCompare(b.name));
    await Promise.all(this.replicas.map((r) => waitFor(`${r.name} /healthz`, 30_000, async () => (await fetch(`http://${r.ip}:8080/healthz`, { signal: AbortSignal.timeout(1000) })).ok)));
    this.log(`testbed: ${this.replicas.length} replicas (${REPLICA_CPUS} CPU each) on ${this.network}`);
  }

  alias(flavour: Flavour, set: ReplicaSet): string {
    return `${BENCH_PREFIX}-${flavour}-${set}`;
  }

  replica(flavour: Flavour, role: Role, nth = 0): Replica {
    const found = this.replicas.filter((r) => r.flavour === flavour && r.role === role)[nth];
    if (!found) throw new Error(`no ${flavour} replica with role ${role}`);
    return found;
  }

  /**
   * Starts (once) every asked peer's HAProxy and waits until all carry full weight: healthy-only
   * over `set`, every other peer over `others` (all four replicas unless said).
   */
  async haproxiesFor(peers: readonly PeerName[], set: ReplicaSet, others: ReplicaSet = 'all'): Promise<Map<PeerName, HAProxyInstance>> {
    const started: HAProxyInstance[] = [];
    const backendSetOf = (peer: PeerName) => (peer === 'healthy-only' ? set : others);
    await Promise.all(peers.map(async (peer) => {
      const backendSet = backendSetOf(peer);
      const key = `${peer}-${backendSet}`;
      if (this.haproxies.has(key)) return;
      const text = renderPeerConfig({ peer, replicasHost: this.alias(peerFlavour(peer), backendSet) });
      started.push(await this.startHAProxy(key, peer, backendSet, text));
    }));
    await Promise.all(started.map(async (h) => {
      const expected = this.replicas.filter((r) => r.flavour === peerFlavour(h.peer) && REPLICA_SETS[h.set].includes(r.index)).length;
      await waitFor(`${h.name}: ${expected} servers resolved`, 60_000, async () => {
        h.addresses = parseServersState(await runtimeCommand(h.socket, `show servers state ${BACKEND}`));
        return h.addresses.size >= expected;
      });
    }));
    if (started.length > 0) {
      this.log(`testbed: HAProxy for ${started.map((h) => h.peer).join(', ')} over ${set} replicas; ${SETTLE_MS / 1000} s for slowstart`);
      await sleep(SETTLE_MS);
    }
    return new Map(peers.map((peer) => [peer, this.haproxies.get(`${peer}-${backendSetOf(peer)}`)!]));
  }

  /** Starts one HAProxy container with the given config over a replica set (not waiting for its servers). */
  async startHAProxy(key: string, peer: PeerName, set: ReplicaSet, text: string): Promise<HAProxyInstance> {
    const dir = join(this.configDir, key);
    mkdirSync(join(dir, 'run'), { recursive: true });
    chmodSync(join(dir, 'run'), 0o777); // HAProxy (user haproxy) creates its socket there
    writeFileSync(join(dir, 'haproxy.cfg'), text, { mode: 0o644 });
    this.onConfig(key, text);
    const name = `${BENCH_PREFIX}-hap-${key}`;
    await docker(['run', '-d', '--name', name, '--network', this.network, '--label', 'bso.dev/component=bench',
      '-e', `BSO_STATS_USER=${STATS_USER}`, '-e', `BSO_STATS_PASSWORD=${STATS_PASSWORD}`,
      // HAProxy logs every request to stdout; dockerd's log copying would compete for the cores.
      '--log-driver', 'none', '-v', `${dir}:/etc/bsobench:ro`, '-v', `${dir}/run:/var/run/bso-haproxy`, '--entrypoint', 'haproxy', HAPROXY_IMAGE, '-f', '/etc/bsobench/haproxy.cfg']);
    const instance: HAProxyInstance = {
      peer, set, name, ip: await containerIp(name, this.network), port: HAPROXY_PORT, statsPort: STATS_PORT,
      socket: join(dir, 'run', 'runtime.sock'), addresses: new Map(),
    };
    this.haproxies.set(key, instance);
    return instance;
  }

  /**
   * Removes the HAProxy instances over a replica set. An idle instance with agent checks still
   * asks the agents, and bso's agents share a replica's concurrency among the instances that ask.
   */
  async removeHAProxies(set: ReplicaSet): Promise<void> {
    for (const [key, h] of [...this.haproxies]) {
      if (h.set !== set) continue;
      await docker(['rm', '-f', h.name]);
      this.haproxies.delete(key);
    }
  }

  /** HAProxy's stats CSV, each server with the address the runtime API gave it. */
  async serverStats(h: HAProxyInstance): Promise<ServerStat[]> {
    return (await fetchServerStats(h.ip, h.statsPort, BACKEND)).map((s) => ({ ...s, address: s.address || (h.addresses.get(s.name) ?? '') }));
  }

  /** The replica behind a server address, for attributing HAProxy's view to a role. */
  replicaAt(ip: string): Replica | undefined {
    return this.replicas.find((r) => r.ip === ip);
  }

  /**
   * Runs stress-ng inside a replica (as the seed does with docker exec) until stop(); it competes
   * with the replica's own process within the container's CPU limit.
   */
  async stress(replica: Replica, args: string[]): Promise<Stress> {
    const child = spawn('docker', ['exec', replica.name, 'sh', '-c', 'echo $$; exec stress-ng "$@"', 'stress', ...args, '--timeout', '3600s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pid = await new Promise<number>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /^(\d+)\n/.exec(text);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`stress-ng in ${replica.name} exited (${code}) before starting`)));
    });
    const stress: Stress = {
      stop: async () => {
        this.stresses.delete(stress);
        await docker(['exec', replica.name, 'kill', '-TERM', String(pid)]).catch(() => undefined);
        await Promise.race([exited, sleep(10_000)]);
      },
    };
    this.stresses.add(stress);
    return stress;
  }

  /** A slow dependency in a replica: every request waits `ms` (0 = none) without using CPU. */
  async setDelay(replica: Replica, ms: number): Promise<void> {
    await docker(['exec', replica.name, 'sh', '-c', `echo ${Math.round(ms)} > ${DELAY_FILE}`]);
  }

  /** Changes a replica's CPU limit at run time (docker update), as a node of another size would have. */
  async setCpus(replica: Replica, cpus: number): Promise<void> {
    await docker(['update', `--cpus=${cpus}`, replica.name]);
  }

  /** Sets a server's weight over HAProxy's runtime API (the oracle peer's static weights). */
  async setWeight(h: HAProxyInstance, replica: Replica, weight: number): Promise<void> {
    const server = [...h.addresses].find(([, address]) => address === replica.ip)?.[0];
    if (!server) throw new Error(`${h.name}: no server for ${replica.name} (${replica.ip})`);
    await runtimeCommand(h.socket, `set weight ${BACKEND}/${server} ${Math.round(weight)}`);
  }

  async tearDown(): Promise<void> {
    await Promise.all([...this.stresses].map((s) => s.stop()));
    await removeByPrefix(BENCH_PREFIX);
    this.haproxies.clear();
    this.replicas.length = 0;
  }
}

