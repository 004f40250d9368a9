// A second Swarm node on this machine for the cluster fault test (scripts/swarm-node.sh: a dockerd
// in a network namespace joined as a worker), and what the test reads about tasks and nodes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dockerJson, run } from '../../e2e/support.js';

const execFileAsync = promisify(execFile);

/**
 * Why extra nodes cannot run here, or undefined when they can: swarm-node.sh needs to create a
 * network namespace (root, CAP_SYS_ADMIN, a kernel with netns).
 */
export async function whyNoNetworkNamespaces(): Promise<string | undefined> {
  const probe = `bsofcl-probe-${process.pid}`;
  try {
    await execFileAsync('ip', ['netns', 'add', probe]);
  } catch (error) {
    return `this machine cannot create network namespaces (ip netns add: ${((error as { stderr?: string }).stderr ?? String(error)).trim()})`;
  }
  await execFileAsync('ip', ['netns', 'del', probe]).catch(() => undefined);
  return undefined;
}

/** scripts/swarm-node.sh COMMAND NODE; throws with its output when it fails. */
export async function swarmNode(command: 'up' | 'down' | 'partition' | 'heal' | 'kill', node: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync('bash', ['scripts/swarm-node.sh', command, node], {
      cwd: new URL('../../..', import.meta.url).pathname, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`swarm-node.sh ${command} ${node} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`, { cause: error });
  }
}

export async function nodeIdOf(node: string): Promise<string> {
  const { stdout } = await run('bash', ['scripts/swarm-node.sh', 'docker', node, 'info', '--format', '{{.Swarm.NodeID}}']);
  return stdout.trim();
}

export async function managerNodeId(): Promise<string> {
  return (await run('docker', ['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
}

/** The manager's view of a node: ready, down, unknown or disconnected. */
export async function nodeState(id: string): Promise<string> {
  const { stdout, code } = await run('docker', ['node', 'inspect', '--format', '{{.Status.State}}', id], { allowFailure: true });
  return code === 0 ? stdout.trim() : 'gone';
}

export interface RunningTask { id: string; node: string; state: string; address?: string }

/** Tasks of a service that Swarm wants running, with their node, state and address on `network`. */
export async function tasksOf(service: string, network: string): Promise<RunningTask[]> {
  const ids = (await run('docker', ['service', 'ps', '-q', '--no-trunc', '--filter', 'desired-state=running', service])).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const tasks = await dockerJson<Array<{ ID: string; NodeID: string; Status: { State: string }; NetworksAttachments?: Array<{ Network: { Spec: { Name: string } }; Addresses: string[] }> }>>(['inspect', ...ids]);
  return tasks.map((t) => ({
    id: t.ID,
    node: t.NodeID,
    state: t.Status.State,
    address: t.NetworksAttachments?.find((a) => a.Network.Spec.Name === network)?.Addresses[0]?.split('/')[0],
  }));
}

/** Spreads a service's tasks again (Swarm does not move tasks back to a node that returns). */
export async function forceUpdate(service: string): Promise<void> {
  await run('docker', ['service', 'update', '--force', '--detach', service]);
}

export async function updateState(service: string): Promise<string> {
  const { stdout } = await run('docker', ['service', 'inspect', '--format', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', service]);
  return stdout.trim();
}
