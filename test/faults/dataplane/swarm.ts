// Swarm helpers for the data-plane fault tests: the operator and the CLI run from source (tsx),
// so a change of the renderer is what the test exercises without `npm run build`; and the
// replica container behind a Swarm task slot.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dockerJson, run, startOperatorProcess, type OperatorProcess } from '../../e2e/support.js';

const CLI = `import { main } from './cli/main.ts'; process.exitCode = await main(['node', 'bso', ...process.argv.slice(1)]);`;

/** `bso <args>` from source. */
export async function bsoFromSource(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CLI, ...args], { allowFailure: true });
}

/** The operator (Swarm backend) from source, listening on `port`, its output appended to logFile. */
export function startOperatorFromSource(port: number, logFile: string): OperatorProcess {
  return startOperatorProcess(port, logFile, { cli: ['--import', 'tsx', '--input-type=module', '-e', CLI] });
}

export interface ReplicaContainer {
  id: string;
  hostname: string;
  address: string;
  /** docker CLI options reaching the engine that runs it: [] for this machine's, -H for a node of scripts/swarm-node.sh. */
  engine: string[];
}

interface TaskInfo {
  Slot: number;
  NodeID: string;
  Status: { State: string; ContainerStatus?: { ContainerID: string } };
  NetworksAttachments?: Array<{ Network: { Spec: { Name: string } }; Addresses: string[] }>;
}

/** The running container of an API service's task slot, its hostname (the short container id) and address. */
export async function replicaOfSlot(apiService: string, network: string, slot: number): Promise<ReplicaContainer | undefined> {
  const ids = (await run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', apiService])).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return undefined;
  const tasks = await dockerJson<TaskInfo[]>(['inspect', ...ids]);
  const task = tasks.find((t) => t.Slot === slot && t.Status.State === 'running' && t.Status.ContainerStatus?.ContainerID);
  if (!task) return undefined;
  const id = task.Status.ContainerStatus!.ContainerID;
  const attachment = task.NetworksAttachments?.find((a) => a.Network.Spec.Name === network);
  return { id, hostname: id.slice(0, 12), address: attachment?.Addresses[0]?.split('/')[0] ?? '', engine: await engineOf(task.NodeID) };
}

/** The engine of a Swarm node: this machine's, or one started by scripts/swarm-node.sh (its node id in /run/bso-<node>/node-id). */
async function engineOf(nodeId: string): Promise<string[]> {
  const local = (await run('docker', ['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
  if (nodeId === local) return [];
  for (const dir of readdirSync('/run').filter((d) => d.startsWith('bso-node'))) {
    const file = `/run/${dir}/node-id`;
    if (existsSync(file) && readFileSync(file, 'utf8').trim() === nodeId) return ['-H', `unix:///run/${dir}/docker.sock`];
  }
  throw new Error(`the task runs on node ${nodeId}, whose engine this test cannot reach`);
}

/** A counter of HAProxy's Prometheus exporter summed over the label sets that match. */
export function sumMetric(text: string, name: string, labelFilter: RegExp = /./): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!labelFilter.test(line)) continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}
