// An in-memory Backend for the control-plane cost scenario (8): the operator's own work (plan,
// render, status) without an orchestrator's latency or memory, so a curve over 1 to 1,000 specs
// shows the operator and nothing else. Objects are kept exactly as the reconciler wrote them;
// every task of a service counts as running.
import type { BalancedService } from '../../crd/types.generated.js';
import type { Backend, Observed, PutResult, ReplicaCounts, StoredSpec, TaskInfo } from '../../operator/backend.js';
import type { ControlPlane } from '../../operator/core/desired-state.js';
import { LABEL_OWNER } from '../../contract/names.js';
import type { ObservedObject, PlanAction } from '../../operator/core/plan.js';

export class MemoryBackend implements Backend {
  readonly kind = 'swarm' as const;
  /** Writes executed (creates, updates and deletes). */
  writes = 0;
  private readonly specs = new Map<string, StoredSpec>();
  private readonly objects = new Map<string, ObservedObject>();
  private readonly byOwner = new Map<string, Set<string>>();
  private nextId = 1;

  async listSpecs(): Promise<StoredSpec[]> { return [...this.specs.values()]; }
  async getSpec(name: string): Promise<StoredSpec | undefined> { return this.specs.get(name); }

  async putSpec(object: BalancedService): Promise<PutResult> {
    const name = object.metadata.name;
    const before = this.specs.get(name);
    if (before?.valid && JSON.stringify(before.object) === JSON.stringify(object)) return { generation: before.generation, changed: false };
    const now = new Date().toISOString();
    const generation = (before?.generation ?? 0) + 1;
    this.specs.set(name, { valid: true, name, object: structuredClone(object), generation, createdAt: before?.createdAt ?? now, updatedAt: now });
    return { generation, changed: true };
  }

  async deleteSpec(name: string): Promise<boolean> { return this.specs.delete(name); }

  async listOwners(): Promise<string[]> {
    return [...this.byOwner].filter(([owner, keys]) => owner !== '' && keys.size > 0).map(([owner]) => owner);
  }

  /** Indexed by owner and by name, so observing one service costs the same with 1 or 1,000 specs. */
  async observe(name: string, wantedNames: readonly string[]): Promise<Observed> {
    const owned = [...(this.byOwner.get(name) ?? [])].map((key) => this.objects.get(key)!);
    const byName = wantedNames.flatMap((n) => (['network', 'secret', 'service'] as const).map((kind) => this.objects.get(`${kind}/${n}`)).filter((o): o is ObservedObject => o !== undefined));
    return { owned, byName };
  }

  private store(key: string, object: ObservedObject | undefined): void {
    const before = this.objects.get(key);
    if (before) this.byOwner.get(before.labels[LABEL_OWNER] ?? '')?.delete(key);
    if (!object) {
      this.objects.delete(key);
      return;
    }
    this.objects.set(key, object);
    const owner = object.labels[LABEL_OWNER] ?? '';
    if (!this.byOwner.has(owner)) this.byOwner.set(owner, new Set());
    this.byOwner.get(owner)!.add(key);
  }

  async execute(action: PlanAction): Promise<void> {
    this.writes += 1;
    if (action.type === 'delete') {
      this.store(`${action.kind}/${action.name}`, undefined);
      return;
    }
    if (action.kind === 'service') {
      const key = `service/${action.service.name}`;
      const version = (this.objects.get(key)?.version ?? 0) + 1;
      this.store(key, { kind: 'service', id: String(this.nextId++), name: action.service.name, labels: { ...action.service.labels }, version, service: structuredClone(action.service) });
      return;
    }
    this.store(`${action.kind}/${action.name}`, { kind: action.kind, id: String(this.nextId++), name: action.name, labels: { ...action.labels } });
  }

  async replicaCounts(serviceName: string): Promise<ReplicaCounts> {
    const replicas = this.objects.get(`service/${serviceName}`)?.service?.replicas ?? 0;
    return { desired: replicas, running: replicas };
  }

  async tasks(serviceName: string): Promise<TaskInfo[]> {
    const { running } = await this.replicaCounts(serviceName);
    return Array.from({ length: running }, (_, i) => ({ id: `${serviceName}.${i + 1}`, slot: i + 1, node: 'memory', state: 'running' }));
  }

  async ensureControlPlane(operatorUrl: string): Promise<ControlPlane & { token: string }> {
    return { operatorUrl, tokenConfig: 'bso-operator-token', controlNetwork: 'bso-control', token: 'memory-token' };
  }

  watch(): () => void { return () => {}; }
}
