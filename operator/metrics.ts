// The operator's Prometheus metrics: one registry, bso_ prefix, base units, results as labels.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../lib/process-metrics.js';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'bso_reconcile_total', help: 'Reconciles by result (success, requeue, error, terminal).', labelNames: ['result'], registers: [this.registry] });
  readonly reconcileDuration = new Histogram({ name: 'bso_reconcile_duration_seconds', help: 'Time one reconcile took.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'bso_queue_depth', help: 'Keys waiting in the work queue.', registers: [this.registry] });
  readonly retries = new Counter({ name: 'bso_reconcile_retries_total', help: 'Reconciles requeued with backoff after a transient error.', registers: [this.registry] });
  readonly writes = new Counter({ name: 'bso_backend_writes_total', help: 'Writes to the orchestrator by object kind and action.', labelNames: ['kind', 'action'], registers: [this.registry] });
  readonly configUpdates = new Counter({ name: 'bso_haproxy_config_updates_total', help: 'HAProxy config updates reported by supervisors, by outcome (noop, runtime, reload, rejected).', labelNames: ['balancedservice', 'outcome'], registers: [this.registry] });
  readonly reloadDuration = new Histogram({ name: 'bso_haproxy_reload_duration_seconds', help: 'HAProxy reloads reported by supervisors: from haproxy -c to the verified new worker.', labelNames: ['balancedservice'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [this.registry] });
  readonly desiredReplicas = new Gauge({ name: 'bso_desired_replicas', help: 'Replicas the spec asks for.', labelNames: ['balancedservice'], registers: [this.registry] });
  readonly readyReplicas = new Gauge({ name: 'bso_ready_replicas', help: 'Replicas UP in HAProxy.', labelNames: ['balancedservice'], registers: [this.registry] });
  readonly condition = new Gauge({ name: 'bso_condition', help: 'Status conditions: 1 for the current status of each type.', labelNames: ['balancedservice', 'type', 'status'], registers: [this.registry] });
  readonly serverWeight = new Gauge({ name: 'bso_server_weight', help: 'Effective weight of each server as HAProxy reports it.', labelNames: ['balancedservice', 'server'], registers: [this.registry] });
  readonly serverState = new Gauge({ name: 'bso_server_state', help: 'State of each server as HAProxy reports it (1 for the current state).', labelNames: ['balancedservice', 'server', 'state'], registers: [this.registry] });
  readonly serverAgentUp = new Gauge({ name: 'bso_server_agent_up', help: '1 when the server\'s agent answered HAProxy\'s last agent check, 0 when it did not (HAProxy then keeps the server with its last weight, or in MAINT).', labelNames: ['balancedservice', 'server'], registers: [this.registry] });
  readonly serverStateSince = new Gauge({ name: 'bso_server_state_since_timestamp_seconds', help: 'When each server entered its current HAProxy state (Unix time): time in state = time() - this.', labelNames: ['balancedservice', 'server'], registers: [this.registry] });
  readonly serversInMaint = new Gauge({ name: 'bso_servers_maint', help: 'Servers in MAINT now.', labelNames: ['balancedservice'], registers: [this.registry] });
  readonly panicGuardActive = new Gauge({ name: 'bso_panic_guard_active', help: '1 while the supervisor\'s panic guard keeps overloaded servers in service.', labelNames: ['balancedservice'], registers: [this.registry] });
  readonly panicGuardHeld = new Gauge({ name: 'bso_panic_guard_held_servers', help: 'Servers the panic guard keeps in service although their agent says maint.', labelNames: ['balancedservice'], registers: [this.registry] });
  readonly backendUp = new Gauge({ name: 'bso_backend_up', help: '1 when the last call to the orchestrator\'s API (Docker, Kubernetes) got an answer, 0 while it cannot be reached.', registers: [this.registry] });
  readonly leader = new Gauge({ name: 'bso_leader', help: '1 while this operator holds the leader lease (Kubernetes Lease, Swarm lock service) or runs without leader election, 0 on standby.', registers: [this.registry] });
  readonly drains = new Counter({ name: 'bso_replica_drains_total', help: 'Times a replica went into MAINT (drained by its agent).', labelNames: ['balancedservice'], registers: [this.registry] });

  constructor() {
    collectProcessMetrics(this.registry, 'operator');
  }

  /** Drops the series of a deleted BalancedService, so cardinality follows the live specs. */
  forget(name: string): void {
    for (const metric of [this.desiredReplicas, this.readyReplicas, this.serversInMaint, this.panicGuardActive, this.panicGuardHeld]) metric.remove({ balancedservice: name });
    for (const type of ['Ready', 'Progressing', 'Degraded']) {
      for (const status of ['True', 'False', 'Unknown']) this.condition.remove({ balancedservice: name, type, status });
    }
  }

  /** The per-server series set last, per BalancedService (to remove them when servers go). */
  private readonly serverSeries = new Map<string, Array<{ server: string; state: string }>>();

  /**
   * Rebuilds one BalancedService's per-server gauges (servers come and go with replicas); an
   * empty list removes them. Only that service's series are touched, so one reconcile costs the
   * same however many specs there are.
   */
  setServersOf(balancedservice: string, servers: ReadonlyArray<{ name: string; state: string; weight: number; stateSince?: number; agentAnswered?: boolean }>): void {
    for (const old of this.serverSeries.get(balancedservice) ?? []) {
      this.serverWeight.remove({ balancedservice, server: old.server });
      this.serverState.remove({ balancedservice, server: old.server, state: old.state });
      this.serverStateSince.remove({ balancedservice, server: old.server });
      this.serverAgentUp.remove({ balancedservice, server: old.server });
    }
    for (const server of servers) {
      this.serverWeight.set({ balancedservice, server: server.name }, server.weight);
      this.serverState.set({ balancedservice, server: server.name, state: server.state }, 1);
      if (server.agentAnswered !== undefined) this.serverAgentUp.set({ balancedservice, server: server.name }, server.agentAnswered ? 1 : 0);
      if (server.stateSince !== undefined) this.serverStateSince.set({ balancedservice, server: server.name }, server.stateSince / 1000);
    }
    if (servers.length === 0) this.serverSeries.delete(balancedservice);
    else this.serverSeries.set(balancedservice, servers.map((s) => ({ server: s.name, state: s.state })));
  }
}
