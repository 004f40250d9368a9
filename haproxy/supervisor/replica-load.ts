// Each replica's own load as its agent measures it (smoothed CPU and memory, shares of the
// container's limits), read from the replica's /metrics on its app port, where bso-api serves
// bso_agent_cpu_ratio and bso_agent_memory_ratio. HAProxy's stats keep no agent description for
// a successful check (show stat's last_agt stays empty), so the supervisor asks the replicas
// themselves, once per report it sends (changes, and the heartbeat), not on every poll; the
// agent port is left alone (its connections count HAProxy instances for maxconn).
import type { ServerReport } from '../../contract/supervisor-protocol.js';

export interface ReplicaLoad { cpu?: number; memory?: number }

const SMOOTHED = (name: string) => new RegExp(`^${name}\\{signal="smoothed"\\} ([0-9.eE+-]+)$`, 'm');

/** The smoothed CPU and memory ratios of a bso-api /metrics text; fields it lacks are left out. */
export function parseReplicaLoad(text: string): ReplicaLoad {
  const load: ReplicaLoad = {};
  const cpu = Number(SMOOTHED('bso_agent_cpu_ratio').exec(text)?.[1]);
  const memory = Number(SMOOTHED('bso_agent_memory_ratio').exec(text)?.[1]);
  if (Number.isFinite(cpu) && cpu >= 0) load.cpu = Math.round(cpu * 1000) / 1000;
  if (Number.isFinite(memory) && memory >= 0) load.memory = Math.round(memory * 1000) / 1000;
  return load;
}

/** `servers` with cpu and memory from each replica's /metrics; a replica that does not answer in time (or is not bso-api) keeps none. */
export async function withReplicaLoads(servers: readonly ServerReport[], timeoutMs = 500): Promise<ServerReport[]> {
  return Promise.all(servers.map(async (server) => {
    if (!server.address || server.state === 'DOWN') return server;
    try {
      const response = await fetch(`http://${server.address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) { await response.body?.cancel(); return server; }
      return { ...server, ...parseReplicaLoad(await response.text()) };
    } catch {
      return server;
    }
  }));
}
