// The Docker Swarm backend: the only place (with spec-store.ts) that talks to dockerode.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { BsoError } from '../../lib/errors.js';
import type { BalancedService } from '../../crd/types.generated.js';
import type { ControlPlane } from '../core/desired-state.js';
import { LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_OWNER, LABEL_REVISION, MANAGED_BY } from '../../contract/names.js';
import type { ObjectKind, ObservedObject, PlanAction } from '../core/plan.js';
import type { FailedRevision } from '../core/rollout-progress.js';
import type { Backend, Observed, PutResult, ReplicaCounts, StoredSpec, TaskInfo } from '../backend.js';
import { describeDockerError, dockerStatus } from './docker-client.js';
import { SwarmSpecStore } from './spec-store.js';
import { fromServiceSpec, toServiceSpec } from './service-spec.js';
import { watchSwarmEvents } from './swarm-events.js';
import { LeaderElection, type LeaderCallbacks, type LeaseTiming } from '../core/leader-election.js';
import { SWARM_LEASE_TIMING, SwarmLockStore } from './operator-lock.js';

export const CONTROL_NETWORK = 'bso-control';
export const TOKEN_CONFIG = 'bso-operator-token';

export class SwarmBackend implements Backend {
  readonly kind = 'swarm' as const;
  private readonly specs: SwarmSpecStore;

  constructor(private readonly docker: Docker) {
    this.specs = new SwarmSpecStore(docker);
  }

  listSpecs(): Promise<StoredSpec[]> { return guard(this.docker, () => this.specs.list()); }
  getSpec(name: string): Promise<StoredSpec | undefined> { return guard(this.docker, () => this.specs.get(name)); }
  putSpec(object: BalancedService): Promise<PutResult> { return guard(this.docker, () => this.specs.put(object)); }
  deleteSpec(name: string): Promise<boolean> { return guard(this.docker, () => this.specs.delete(name)); }

  async listOwners(): Promise<string[]> {
    return guard(this.docker, async () => {
      const owners = (await this.objects()).objects.map((o) => o.labels[LABEL_OWNER]).filter((owner): owner is string => owner !== undefined);
      return [...new Set(owners)].sort();
    });
  }

  async observe(name: string, wantedNames: readonly string[]): Promise<Observed> {
    return guard(this.docker, async () => {
      const listed = await this.objects();
      // Only this BalancedService's services are asked for the revision a rollback undid (a task
      // list each): not every rolled-back service in the Swarm, nor at every resync.
      const all = await Promise.all(listed.objects.map((o) => {
        const rollback = o.labels[LABEL_OWNER] === name ? listed.rollbacks.get(o.id) : undefined;
        return rollback ? this.withFailedRevision(o, rollback) : o;
      }));
      return {
        owned: all.filter((o) => o.labels[LABEL_OWNER] === name).sort(byKindAndName),
        byName: all.filter((o) => wantedNames.includes(o.name)),
      };
    });
  }

  async execute(action: PlanAction): Promise<void> {
    return guard(this.docker, async () => {
      try {
        await this.executeUnguarded(action);
      } catch (error) {
        const status = dockerStatus(error);
        if (status === 409 || (status === 500 && /update out of sequence/i.test(String((error as Error).message)))) {
          throw new BsoError('BSO_CONFLICT', `${action.kind} changed while bso was updating it; will retry`, { transient: true, cause: error });
        }
        if (action.type === 'delete' && status === 404) return;
        throw error;
      }
    });
  }

  private async executeUnguarded(action: PlanAction): Promise<void> {
    switch (action.type) {
      case 'create':
        if (action.kind === 'network') {
          await this.docker.createNetwork({ Name: action.name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: action.labels });
        } else if (action.kind === 'secret') {
          const credentials = `admin:${randomBytes(18).toString('base64url')}`;
          await this.docker.createSecret({ Name: action.name, Labels: action.labels, Data: Buffer.from(credentials).toString('base64') } as never);
        } else {
          await this.docker.createService(toServiceSpec(action.service, await this.ids()) as Docker.CreateServiceOptions);
        }
        return;
      case 'update': {
        const spec = toServiceSpec(action.service, await this.ids());
        await this.docker.getService(action.id).update({ version: action.version, ...spec } as never);
        return;
      }
      case 'delete':
        if (action.kind === 'service') await this.docker.getService(action.id).remove();
        else if (action.kind === 'secret') await this.docker.getSecret(action.id).remove();
        else await this.removeNetworkWhenFree(action.id);
    }
  }

  /** A network is in use until the tasks of a removed service are gone: retry a few seconds. */
  private async removeNetworkWhenFree(id: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.docker.getNetwork(id).remove();
        return;
      } catch (error) {
        if (dockerStatus(error) === 404) return;
        if (attempt >= 20) throw new BsoError('BSO_CONFLICT', `network ${id} is still in use; will retry`, { transient: true, cause: error });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async replicaCounts(serviceName: string): Promise<ReplicaCounts> {
    return guard(this.docker, async () => {
      const services = (await this.docker.listServices({ filters: { name: [serviceName] }, status: true } as Docker.ServiceListOptions)) as Array<Docker.Service & { ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number } }>;
      const service = services.find((s) => s.Spec?.Name === serviceName);
      if (!service) return { desired: 0, running: 0 };
      // Not ServiceStatus.RunningTasks: it still counts the tasks of a node that went down (their
      // last state stays `running` while Swarm replaces them elsewhere), so a service that had
      // converged on the nodes left would read 6/4 until the lost node is removed (faults row 10).
      const tasks = await this.docker.listTasks({ filters: { service: [serviceName], 'desired-state': ['running'] } });
      const running = tasks.filter((t) => t.ServiceID === service.ID && t.Status?.State === 'running').length;
      return { desired: service.ServiceStatus?.DesiredTasks ?? 0, running };
    });
  }

  async tasks(serviceName: string): Promise<TaskInfo[]> {
    return guard(this.docker, async () => {
      const tasks = await this.docker.listTasks({ filters: { service: [serviceName], 'desired-state': ['running'] } });
      return tasks.map((t): TaskInfo => ({
        id: String(t.ID),
        name: `${serviceName}.${Number(t.Slot ?? 0)}`,
        slot: Number(t.Slot ?? 0),
        node: String(t.NodeID ?? ''),
        state: String(t.Status?.State ?? 'unknown'),
        message: t.Status?.Err ?? t.Status?.Message,
        containerId: t.Status?.ContainerStatus?.ContainerID,
        revision: (t.Spec as { ContainerSpec?: { Labels?: Record<string, string> } } | undefined)?.ContainerSpec?.Labels?.[LABEL_REVISION],
        address: (t.NetworksAttachments ?? [])
          .filter((a: { Network?: { Spec?: { Name?: string } } }) => a.Network?.Spec?.Name !== 'ingress')
          .flatMap((a: { Addresses?: string[] }) => a.Addresses ?? [])[0]?.split('/')[0],
      })).sort((a, b) => a.slot - b.slot);
    });
  }

  async ensureControlPlane(operatorUrl: string): Promise<ControlPlane & { token: string }> {
    return guard(this.docker, async () => {
      const labels = { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_COMPONENT]: 'control' };
      const networks = await this.docker.listNetworks({ filters: { name: [CONTROL_NETWORK] } });
      if (!networks.some((n) => n.Name === CONTROL_NETWORK)) {
        try {
          await this.docker.createNetwork({ Name: CONTROL_NETWORK, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: labels });
        } catch (error) {
          if (dockerStatus(error) !== 409) throw error;
        }
      }
      let token = await this.readToken();
      if (token === undefined) {
        const fresh = randomBytes(32).toString('base64url');
        try {
          await this.docker.createConfig({ Name: TOKEN_CONFIG, Labels: labels, Data: Buffer.from(fresh).toString('base64') } as never);
        } catch (error) {
          if (dockerStatus(error) !== 409) throw error;
        }
        token = (await this.readToken()) ?? fresh;
      }
      return { operatorUrl, tokenConfig: TOKEN_CONFIG, controlNetwork: CONTROL_NETWORK, token };
    });
  }

  /** The gateway of docker_gwbridge: how a container reaches an operator running on the host. */
  /** docker_gwbridge's gateway; undefined while that network does not exist; Docker unreachable throws. */
  hostGatewayAddress(): Promise<string | undefined> {
    return guard(this.docker, async () => {
      try {
        const info = await this.docker.getNetwork('docker_gwbridge').inspect();
        return info?.IPAM?.Config?.[0]?.Gateway;
      } catch (error) {
        if (dockerStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Leader election among operator processes, with the lock service bso-operator-lock (operator-lock.ts). */
  leaderLease(identity: string, callbacks: LeaderCallbacks, timing?: LeaseTiming): LeaderElection {
    return new LeaderElection(new SwarmLockStore(this.docker), identity, callbacks, timing ?? SWARM_LEASE_TIMING);
  }

  watch(onHint: (name: string | undefined) => void, onError: (error: unknown) => void): () => void {
    return watchSwarmEvents(this.docker, onHint, onError);
  }

  private async readToken(): Promise<string | undefined> {
    const configs = await this.docker.listConfigs({ filters: { name: [TOKEN_CONFIG] } });
    const config = configs.find((c) => (c.Spec as { Name?: string })?.Name === TOKEN_CONFIG);
    const data = (config?.Spec as { Data?: string } | undefined)?.Data;
    return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
  }

  /** Every service, network and secret, read once: the kinds bso creates per BalancedService. */
  private async objects(): Promise<{ objects: ObservedObject[]; rollbacks: Map<string, RollbackState> }> {
    const [services, networks, secrets] = await Promise.all([this.docker.listServices(), this.docker.listNetworks(), this.docker.listSecrets()]);
    const networkNames = new Map(networks.map((n) => [n.Id, n.Name]));
    const rollbacks = new Map(services.flatMap((s) => {
      const rollback = rollbackState(s);
      return rollback ? [[s.ID, rollback] as const] : [];
    }));
    return {
      objects: [
        ...services.map((s) => this.observedService(s, networkNames)),
        ...networks.map((n): ObservedObject => ({ kind: 'network', id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
        ...secrets.map((s): ObservedObject => ({ kind: 'secret', id: s.ID, name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {} })),
      ],
      rollbacks,
    };
  }

  private observedService(service: Docker.Service, networkNames: Map<string, string>): ObservedObject {
    const spec = service.Spec ?? {};
    return {
      kind: 'service',
      id: service.ID,
      name: spec.Name ?? '',
      labels: spec.Labels ?? {},
      version: service.Version?.Index,
      service: fromServiceSpec(spec, (id) => networkNames.get(id) ?? id),
    };
  }

  /** A service whose update Swarm rolled back: the revision that failed, from its tasks. */
  private async withFailedRevision(observed: ObservedObject, rollback: RollbackState): Promise<ObservedObject> {
    const tasks = (await this.docker.listTasks({ filters: { service: [observed.id] } })) as SwarmTask[];
    const failed = failedRevisionOf(observed.labels[LABEL_REVISION], rollback, tasks);
    return failed ? { ...observed, failedRevision: failed } : observed;
  }

  private async ids() {
    const [networks, secrets, configs] = await Promise.all([this.docker.listNetworks(), this.docker.listSecrets(), this.docker.listConfigs()]);
    const lookup = (kind: string, entries: Array<[string, string]>) => {
      const map = new Map(entries);
      return (name: string) => {
        const id = map.get(name);
        if (!id) throw new BsoError('BSO_NOT_FOUND', `${kind} ${name} does not exist`, { transient: kind !== 'secret' });
        return id;
      };
    };
    return {
      networkId: lookup('network', networks.map((n) => [n.Name, n.Id])),
      secretId: lookup('secret', secrets.map((s) => [s.Spec?.Name ?? '', s.ID])),
      configId: lookup('config', configs.map((c) => [(c.Spec as { Name?: string })?.Name ?? '', c.ID])),
    };
  }
}

interface RollbackState { state: string; message: string }

/** Swarm's state of a rolling update that it rolled back (UpdateConfig FailureAction rollback). */
function rollbackState(service: Docker.Service): RollbackState | undefined {
  const update = (service as { UpdateStatus?: { State?: string; Message?: string } }).UpdateStatus;
  return update?.State?.startsWith('rollback') ? { state: update.State, message: update.Message ?? '' } : undefined;
}

interface SwarmTask { CreatedAt?: string; Spec?: { ContainerSpec?: { Labels?: Record<string, string> } }; Status?: { State?: string; Err?: string; Message?: string } }

/**
 * The revision a rolled-back update tried: Swarm restores the previous spec and keeps no copy of
 * the failed one (PreviousSpec is gone), but the tasks it started for it remain, the newest of
 * them with another revision than the service's own.
 */
export function failedRevisionOf(currentRevision: string | undefined, rollback: RollbackState, tasks: readonly SwarmTask[]): FailedRevision | undefined {
  const tried = tasks
    .filter((t) => t.Spec?.ContainerSpec?.Labels?.[LABEL_REVISION] !== undefined && t.Spec.ContainerSpec.Labels[LABEL_REVISION] !== currentRevision)
    .sort((a, b) => (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''));
  const newest = tried[0];
  if (!newest) return undefined;
  const why = newest.Status?.Err || newest.Status?.Message || 'no reason given';
  return { revision: newest.Spec!.ContainerSpec!.Labels![LABEL_REVISION]!, message: `its replica ${newest.Status?.State ?? 'failed'} (${why}); Swarm ${rollback.state.replace('_', ' ')}` };
}

const KIND_ORDER: Record<ObjectKind, number> = { network: 0, secret: 1, service: 2 };
function byKindAndName(a: ObservedObject, b: ObservedObject): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name);
}

/** Docker unreachable (or not Docker) -> a transient BSO_BACKEND_UNAVAILABLE naming the endpoint, so callers back off and retry. */
async function guard<T>(docker: Docker, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeDockerError(error, docker);
  }
}
