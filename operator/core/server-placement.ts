// Which replica each HAProxy server is: the task (or pod) and container at the server's address,
// so that status, `bso describe` and `bso top` name what `docker ps` and `kubectl get pods` show.
import type { TaskInfo } from '../backend.js';
import type { ServerStatus } from './service-status.js';

/** `servers` with task and container set from the running task at each server's address. */
export function withPlacement<T extends Pick<ServerStatus, 'address'>>(servers: readonly T[], tasks: readonly TaskInfo[]): Array<T & Pick<ServerStatus, 'task' | 'container'>> {
  const byAddress = new Map(tasks.filter((t) => t.address && t.state === 'running').map((t) => [t.address!, t]));
  return servers.map((server) => {
    const task = byAddress.get(server.address);
    if (!task) return server;
    const container = task.containerId?.replace(/^[a-z]+:\/\//, '').slice(0, 12);
    return { ...server, ...(task.name ? { task: task.name } : {}), ...(container ? { container } : {}) };
  });
}
