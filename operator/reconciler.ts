// The level-triggered reconciler. It is given only a key (a BalancedService name), reads the
// stored spec and the observed state, plans, applies, and records status. Docker events are
// hints; a periodic resync converges regardless. Transient errors retry with backoff; terminal
// ones (a port taken, a foreign object) are shown in status and not retried in a loop.
import type { BalancedService } from '../crd/types.generated.js';
import { formatIssue } from '../crd/spec-issue.js';
import { isBsoError } from '../lib/errors.js';
import type { Backend, StoredSpec, TaskInfo } from './backend.js';
import { conditionsFor, REASONS, type Condition } from './core/conditions.js';
import type { RenderedConfig, ServiceStatus, SupervisorReport } from './core/service-status.js';
import { desiredStateFor, type ControlPlane, type DesiredState } from './core/desired-state.js';
import { apiServiceName, haproxyServiceName, LABEL_REVISION } from '../contract/names.js';
import { rolloutProgress, type FailedRevision } from './core/rollout-progress.js';
import { planFor, type PlanAction } from './core/plan.js';
import { portConflictsFor } from './core/port-conflicts.js';
import { withPlacement } from './core/server-placement.js';
import { combineReports, instanceStatuses, STALE_AFTER_MS, staleInstances, UNNAMED_INSTANCE } from './core/instance-reports.js';
import { EventLog } from './event-log.js';
import { StatusPublisher } from './status-publisher.js';
import { SILENT, type Logger } from '../lib/logger.js';
import type { OperatorMetrics } from './metrics.js';
import { Readiness } from './readiness.js';
import { WorkQueue } from './work-queue.js';


export interface ReconcilerOptions {
  backend: Backend;
  control: ControlPlane;
  renderConfig: (spec: BalancedService) => RenderedConfig;
  metrics: OperatorMetrics;
  /** Where the reconciler says what it does (default: nothing). */
  logger?: Logger;
  resyncMs?: number;
  /** How soon to look again while a service is converging. */
  progressPollMs?: number;
  /** Called whenever the config served for a service changes (wakes long-polling supervisors). */
  onConfigChange?: (name: string) => void;
  /** What /readyz answers (the reconciler records each call's outcome and its first full pass). */
  readiness?: Readiness;
}

export class Reconciler {
  readonly statuses = new Map<string, ServiceStatus>();
  readonly configs = new Map<string, RenderedConfig>();
  /** Each HAProxy instance's last report, by service and instance. */
  readonly reports = new Map<string, Map<string, SupervisorReport>>();
  private readonly staleTimers = new Map<string, NodeJS.Timeout>();
  /** The API replicas' running tasks as last listed, by service: which replica each server is. */
  private readonly placements = new Map<string, TaskInfo[]>();
  readonly events: EventLog;
  /** Status and events on the resource, where the backend keeps them (Kubernetes). */
  private readonly publisher: StatusPublisher | undefined;
  readonly queue = new WorkQueue();
  private stopWatch: (() => void) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private watchRetry: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly logger: Logger;
  /** Numbers each reconcile, for the `reconcile` field of its log lines; the current one per key. */
  private reconcileCount = 0;
  private readonly reconcileIds = new Map<string, number>();
  readonly readiness: Readiness;

  constructor(private readonly options: ReconcilerOptions) {
    this.logger = options.logger ?? SILENT;
    this.readiness = options.readiness ?? new Readiness();
    const reporter = options.backend.reporter;
    this.publisher = reporter && new StatusPublisher(reporter, this.logger);
    this.events = new EventLog(30, this.publisher && ((name, event) => this.publisher!.event(name, event)));
  }

  /** Records a service's status and shows it on the resource (when the backend keeps it there). */
  private keepStatus(name: string, status: ServiceStatus): void {
    this.statuses.set(name, status);
    this.publisher?.status(name, status);
  }

  /** The backend answered (or could not be reached): the bso_backend_up gauge and readiness. */
  private backendAnswered(up: boolean, error?: unknown): void {
    this.options.metrics.backendUp.set(up ? 1 : 0);
    this.readiness.backend(up, error === undefined ? undefined : (error as Error).message);
  }

  start(): void {
    this.running = this.queue.run((key) => this.process(key));
    this.watch();
    const resyncMs = this.options.resyncMs ?? 30_000;
    void this.resync();
    this.resyncTimer = setInterval(() => void this.resync(), resyncMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    clearTimeout(this.watchRetry);
    for (const timer of this.staleTimers.values()) clearTimeout(timer);
    this.stopWatch?.();
    this.queue.stop();
    await this.running;
    await this.publisher?.settled();
  }

  /** Enqueues every stored spec and every owner of objects (to clean up after deleted specs). */
  async resync(): Promise<void> {
    try {
      const [specs, owners] = await Promise.all([this.options.backend.listSpecs(), this.options.backend.listOwners()]);
      this.backendAnswered(true);
      const names = new Set([...specs.map((s) => s.name), ...owners, ...this.statuses.keys()]);
      this.readiness.resynced(names);
      for (const name of names) this.queue.add(name);
    } catch (error) {
      if (isUnavailable(error)) this.backendAnswered(false, error);
      this.logger.warn(`resync failed: ${(error as Error).message}`);
    }
  }

  /** A supervisor's report: servers as HAProxy sees them, config applied or rejected. */
  report(name: string, report: Omit<SupervisorReport, 'receivedAt'>): void {
    const now = Date.now();
    const instances = this.reports.get(name) ?? new Map<string, SupervisorReport>();
    const instance = report.instance ?? UNNAMED_INSTANCE;
    const mine = instances.get(instance);
    const before = this.combinedReport(name);
    const previous = new Map((mine?.servers ?? []).map((s) => [`${s.name}@${s.address}`, s]));
    const servers = report.servers.map((s) => {
      const seen = previous.get(`${s.name}@${s.address}`);
      return { ...s, stateSince: seen && seen.state === s.state ? seen.stateSince : now };
    });
    if (!mine && instances.size > 0) this.events.record(name, 'Normal', 'HAProxyInstanceReporting', `HAProxy instance ${instance} reports (${instances.size + 1} instances)`);
    instances.set(instance, { ...report, instance, servers, receivedAt: now });
    this.reports.set(name, instances);
    this.watchStaleness(name);
    const combined = this.combinedReport(name)!;
    if (report.lastOutcome && report.configHash !== mine?.configHash) {
      this.options.metrics.configUpdates.inc({ balancedservice: name, outcome: report.lastOutcome });
      if (report.lastOutcome === 'reload' && report.lastReloadSeconds !== undefined) this.options.metrics.reloadDuration.observe({ balancedservice: name }, report.lastReloadSeconds);
    }
    const wasMaint = new Set((before?.servers ?? []).filter((s) => s.state === 'MAINT').map((s) => s.name));
    for (const server of combined.servers) {
      if (server.state === 'MAINT' && !wasMaint.has(server.name) && before) {
        this.options.metrics.drains.inc({ balancedservice: name });
        this.events.record(name, 'Normal', 'ReplicaDrained', `${server.name} (${server.address}) went into MAINT: its agent reports overload`);
      }
    }
    this.notePanicGuard(name, before?.panicGuard, combined.panicGuard);
    // A report that changes only weights or counters needs no reconcile (no read of Docker): the
    // status takes its servers as they are. Anything the conditions depend on reconciles, unless
    // the key backs off after a failure (with Docker away that made one failed reconcile per report).
    const status = this.statuses.get(name);
    if (status && conditionInputsOf(before) === conditionInputsOf(combined) && instances.size === (status.instances?.length ?? 1)) {
      this.keepStatus(name, { ...status, servers: withPlacement(servedServers(combined.servers), this.placements.get(name) ?? []), ...this.instancesOf(name) });
      this.refreshServerMetrics(name);
    } else if (this.queue.failuresOf(name) === 0) this.queue.add(name);
  }

  /** The HAProxy instances' reports as one (operator/core/instance-reports.ts). */
  private combinedReport(name: string): SupervisorReport | undefined {
    const instances = this.reports.get(name);
    return instances && combineReports(instances);
  }

  /** status.instances: each instance's view, shown while there are several. */
  private instancesOf(name: string): Pick<ServiceStatus, 'instances'> {
    const instances = this.reports.get(name);
    if (!instances || instances.size < 2) return {};
    return { instances: instanceStatuses(instances) };
  }

  /**
   * An instance that stops reporting (its node lost, its task gone) is forgotten STALE_AFTER_MS
   * after its last report, with an event and a reconcile, unless it is the last one reporting:
   * then its last word stands, as it did before there could be several.
   */
  private watchStaleness(name: string): void {
    clearTimeout(this.staleTimers.get(name));
    const instances = this.reports.get(name);
    if (!instances || instances.size < 2) return;
    const oldest = Math.min(...[...instances.values()].map((r) => r.receivedAt));
    const timer = setTimeout(() => {
      const gone = staleInstances(instances, Date.now());
      for (const instance of gone) {
        instances.delete(instance);
        this.events.record(name, 'Warning', 'HAProxyInstanceGone', `HAProxy instance ${instance} has not reported for ${STALE_AFTER_MS / 1000} s: it no longer counts (${instances.size} left)`);
      }
      if (gone.length > 0) this.queue.add(name);
      this.watchStaleness(name);
    }, Math.max(0, oldest + STALE_AFTER_MS + 100 - Date.now()));
    timer.unref();
    this.staleTimers.set(name, timer);
  }

  private notePanicGuard(name: string, before: SupervisorReport['panicGuard'], now: SupervisorReport['panicGuard']): void {
    const held = now?.held ?? [];
    this.options.metrics.panicGuardActive.set({ balancedservice: name }, now?.active ? 1 : 0);
    this.options.metrics.panicGuardHeld.set({ balancedservice: name }, held.length);
    if (now?.active && !before?.active) {
      this.events.record(name, 'Warning', 'PanicGuardEngaged', `too few replicas would serve (threshold ${now.thresholdPercent}%): HAProxy keeps ${held.map((h) => `${h.name} (${h.address})`).join(', ')} in service although overloaded`);
    } else if (!now?.active && before?.active) {
      this.events.record(name, 'Normal', 'PanicGuardReleased', 'enough replicas serve again: every server follows its agent');
    }
  }

  private watch(): void {
    this.stopWatch = this.options.backend.watch(
      (name) => (name ? this.queue.add(name) : void this.resync()),
      (error) => {
        this.logger.warn(`event stream broke (${(error as Error).message}); resync continues, reconnecting in 5s`);
        this.stopWatch?.();
        this.watchRetry = setTimeout(() => { this.watch(); void this.resync(); }, 5000);
        this.watchRetry.unref();
      },
    );
  }

  private async process(name: string): Promise<void> {
    const { metrics } = this.options;
    this.reconcileIds.set(name, ++this.reconcileCount);
    this.logger.debug('reconcile', { balancedservice: name, reconcile: this.reconcileCount });
    const started = performance.now();
    metrics.queueDepth.set(this.queue.depth);
    try {
      const requeueAfterMs = await this.reconcile(name);
      this.queue.forget(name);
      if (requeueAfterMs !== undefined) this.queue.addAfter(name, requeueAfterMs);
      metrics.reconciles.inc({ result: requeueAfterMs !== undefined ? 'requeue' : 'success' });
      this.backendAnswered(true);
      this.readiness.reconciled(name);
    } catch (error) {
      const message = (error as Error).message;
      if (isBsoError(error) && !error.transient) {
        metrics.reconciles.inc({ result: 'terminal' });
        this.readiness.reconciled(name);
        this.fail(name, error.code === 'BSO_NOT_FOUND' ? 'MissingObject' : REASONS.backendError, message, false);
      } else {
        metrics.reconciles.inc({ result: 'error' });
        metrics.retries.inc();
        const delay = this.queue.addRateLimited(name);
        if (isUnavailable(error)) this.backendAnswered(false, error);
        else this.readiness.reconciled(name); // attempted: its status says why it retries
        this.fail(name, isUnavailable(error) ? REASONS.backendUnavailable : REASONS.backendError, `${message} (retry ${this.queue.failuresOf(name)} in ${(delay / 1000).toFixed(1)}s)`, true);
      }
    } finally {
      metrics.reconcileDuration.observe((performance.now() - started) / 1000);
      metrics.queueDepth.set(this.queue.depth);
    }
  }

  /** One reconcile. Returns a delay to look again (still converging), or undefined. */
  async reconcile(name: string): Promise<number | undefined> {
    const { backend } = this.options;
    const specs = await backend.listSpecs();
    const stored = specs.find((s) => s.name === name);
    if (!stored) return this.cleanUp(name);

    // Loaded by the store through crd/spec-from-store.ts: defaults filled in, or its issues. An
    // invalid stored spec (another bso version, a hand edit) is reported and touches nothing.
    if (!stored.valid) {
      await this.setStatus(name, stored, [{ reason: REASONS.specInvalid, message: stored.issues.map(formatIssue).join('; ') }]);
      return undefined;
    }
    const ports = portConflictsFor(name, specs.flatMap((s) => (s.valid ? [{ object: s.object, createdAt: s.createdAt }] : [])));
    if (ports.length > 0) {
      this.setStatus(name, stored, ports.map((message) => ({ reason: REASONS.portTaken, message })));
      this.events.record(name, 'Warning', REASONS.portTaken, ports.join('; '));
      return undefined;
    }

    const desired = desiredStateFor(stored.object, this.options.control);
    const observed = await backend.observe(name, namesIn(desired));
    const plan = planFor(name, desired, observed.owned, observed.byName);
    for (const action of plan.actions) await this.apply(name, action);

    const config = this.options.renderConfig(stored.object);
    if (this.configs.get(name)?.hash !== config.hash) {
      this.configs.set(name, config);
      this.options.onConfigChange?.(name);
    }
    const blocking = plan.conflicts.map((c) => ({ reason: REASONS.foreignObject, message: c.message }));
    for (const c of plan.conflicts) this.events.record(name, 'Warning', REASONS.foreignObject, c.message);
    const api = desired.services.find((s) => s.component === 'api')!;
    const failed = plan.held.find((h) => h.service === api.name)?.failed;
    const status = await this.setStatus(name, stored, blocking, { revision: api.labels[LABEL_REVISION]!, failed });
    const ready = status.conditions.find((c) => c.type === 'Ready')?.status === 'True';
    const settled = ready && status.rollout?.state !== 'Progressing';
    return settled || blocking.length > 0 ? undefined : (this.options.progressPollMs ?? 2000);
  }

  private async apply(name: string, action: PlanAction): Promise<void> {
    const what = action.kind === 'service' && action.type !== 'delete' ? action.service.name : (action as { name: string }).name;
    await this.options.backend.execute(action);
    this.options.metrics.writes.inc({ kind: action.kind, action: action.type });
    const reason = action.type === 'update' ? `: ${action.reason}` : action.type === 'delete' ? `: ${action.reason}` : '';
    const verb = action.type === 'create' ? 'Created' : action.type === 'update' ? 'Updated' : 'Deleted';
    this.events.record(name, 'Normal', `${verb}${capitalize(action.kind)}`, `${action.type}d ${action.kind} ${what}${reason}`);
    this.logger.info(`${action.type} ${action.kind} ${what}${reason}`, { balancedservice: name, reconcile: this.reconcileIds.get(name) });
  }

  private async cleanUp(name: string): Promise<undefined> {
    const observed = await this.options.backend.observe(name, []);
    const plan = planFor(name, undefined, observed.owned, []);
    for (const action of plan.actions) await this.apply(name, action);
    if (plan.actions.length === 0) {
      this.statuses.delete(name);
      this.configs.delete(name);
      this.reports.delete(name);
      clearTimeout(this.staleTimers.get(name));
      this.staleTimers.delete(name);
      this.placements.delete(name);
      this.reconcileIds.delete(name);
      this.events.forget(name);
      this.publisher?.forget(name);
      this.options.metrics.forget(name);
      this.refreshServerMetrics(name);
      return undefined;
    }
    // Look again: removed services leave their network busy for a moment.
    this.queue.addAfter(name, 1000);
    return undefined;
  }

  private async setStatus(name: string, stored: StoredSpec, blocking: Array<{ reason: string; message: string }>, rollout?: { revision: string; failed?: FailedRevision }): Promise<ServiceStatus> {
    const { backend, metrics } = this.options;
    const desiredReplicas = stored.valid ? stored.object.spec.replicas : 0;
    const [api, haproxy, tasks] = !stored.valid || blocking.some((b) => b.reason === REASONS.portTaken)
      ? [{ desired: desiredReplicas, running: 0 }, { desired: 1, running: 0 }, []]
      : await Promise.all([backend.replicaCounts(apiServiceName(name)), backend.replicaCounts(haproxyServiceName(name)), backend.tasks(apiServiceName(name))]);
    this.placements.set(name, tasks);
    const report = this.combinedReport(name);
    const servers = withPlacement(servedServers(report?.servers ?? []), tasks);
    const previous = this.statuses.get(name)?.conditions ?? [];
    const progress = rollout && blocking.length === 0 ? rolloutProgress({ revision: rollout.revision, replicas: desiredReplicas, tasks, servers, failed: rollout.failed }) : undefined;
    const rejected = report?.rejectedHash && report.rejectedHash === this.configs.get(name)?.hash ? (report.lastError ?? 'rejected') : undefined;
    const conditions = conditionsFor({
      generation: stored.generation,
      desiredReplicas,
      runningReplicas: api.running,
      haproxyRunning: haproxy.running > 0,
      configHash: this.configs.get(name)?.hash,
      appliedConfigHash: report?.configHash,
      servers,
      blocking,
      rejectedConfig: rejected,
      ...(progress ? { rollout: progress } : {}),
      panicGuard: report?.panicGuard && { active: report.panicGuard.active, thresholdPercent: report.panicGuard.thresholdPercent, held: report.panicGuard.held.map((h) => h.name) },
    }, previous, new Date().toISOString());
    const status: ServiceStatus = {
      observedGeneration: stored.generation,
      replicas: desiredReplicas,
      readyReplicas: servers.filter((s) => s.state === 'UP').length,
      configHash: this.configs.get(name)?.hash,
      conditions,
      servers,
      ...this.instancesOf(name),
      ...(progress ? { rollout: progress } : {}),
    };
    this.noteTransitions(name, previous, conditions);
    this.keepStatus(name, status);
    metrics.desiredReplicas.set({ balancedservice: name }, status.replicas);
    metrics.readyReplicas.set({ balancedservice: name }, status.readyReplicas);
    metrics.serversInMaint.set({ balancedservice: name }, servers.filter((s) => s.state === 'MAINT').length);
    for (const c of conditions) {
      for (const s of ['True', 'False', 'Unknown']) metrics.condition.set({ balancedservice: name, type: c.type, status: s }, c.status === s ? 1 : 0);
    }
    this.refreshServerMetrics(name);
    return status;
  }

  private fail(name: string, reason: string, message: string, transient: boolean): void {
    this.logger[transient ? 'warn' : 'error'](`${transient ? 'retrying after error' : 'stopped'}: ${message}`, { balancedservice: name, reconcile: this.reconcileIds.get(name), reason });
    this.events.record(name, 'Warning', reason, message);
    const previous = this.statuses.get(name);
    const now = new Date().toISOString();
    const conditions = (previous?.conditions ?? []).filter((c) => c.type !== 'Degraded');
    conditions.push({ type: 'Degraded', status: 'True', reason, message, lastTransitionTime: now, observedGeneration: previous?.observedGeneration ?? 0 });
    this.keepStatus(name, { observedGeneration: 0, replicas: 0, readyReplicas: 0, servers: [], ...previous, conditions });
    for (const s of ['True', 'False', 'Unknown']) this.options.metrics.condition.set({ balancedservice: name, type: 'Degraded', status: s }, s === 'True' ? 1 : 0);
  }

  private noteTransitions(name: string, before: readonly Condition[], after: readonly Condition[]): void {
    for (const c of after) {
      const old = before.find((b) => b.type === c.type);
      if (old && old.status === c.status && old.reason === c.reason) continue;
      if (!old && c.status === 'False' && c.type !== 'Ready') continue;
      this.events.record(name, c.type === 'Degraded' && c.status === 'True' ? 'Warning' : 'Normal', c.reason, `${c.type}=${c.status}: ${c.message}`);
    }
  }

  private refreshServerMetrics(name: string): void {
    this.options.metrics.setServersOf(name, this.statuses.get(name)?.servers ?? []);
  }
}

function namesIn(desired: DesiredState): string[] {
  return [desired.network.name, ...desired.secrets.map((s) => s.name), ...desired.services.map((s) => s.name)];
}

/** The orchestrator's API could not be reached at all (as opposed to answering with an error). */
function isUnavailable(error: unknown): boolean {
  return isBsoError(error) && error.code === 'BSO_BACKEND_UNAVAILABLE';
}

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

/** Servers with a replica in their slot (empty slots have no address). */
function servedServers<T extends { address?: string }>(servers: readonly T[]): T[] {
  return servers.filter((s) => s.address && s.address !== '0.0.0.0' && s.address !== '-');
}

/** What of a report the conditions depend on: configs, server states and slots, the panic guard. */
function conditionInputsOf(report: Omit<SupervisorReport, 'receivedAt'> | undefined): string {
  if (!report) return '';
  return JSON.stringify([
    report.configHash, report.rejectedHash, report.lastError, report.panicGuard?.active, report.panicGuard?.held.map((h) => h.name),
    report.servers.map((s) => [s.name, s.address, s.state]),
  ]);
}
