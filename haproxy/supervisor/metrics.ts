// The supervisor's own Prometheus metrics, in a registry of its own (prefix bso_haproxy_).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { UPDATE_OUTCOMES, type UpdateOutcome } from '../../contract/supervisor-protocol.js';
import type { RejectStage } from './apply-config.js';

export class SupervisorMetrics {
  readonly registry = new Registry();
  readonly updates = new Counter({ name: 'bso_haproxy_updates_total', help: 'Config updates by outcome: noop (same bytes), runtime (runtime API, no reload), reload, rejected.', labelNames: ['outcome'], registers: [this.registry] });
  readonly reloadDuration = new Histogram({ name: 'bso_haproxy_reload_duration_seconds', help: 'From haproxy -c to the verified new worker.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [this.registry] });
  readonly failedReloads = new Counter({ name: 'bso_haproxy_failed_reloads_total', help: 'Configs HAProxy refused, by stage: check (haproxy -c), bind (a new port is taken), reload (HAProxy refused it), verify (no new worker running the config).', labelNames: ['stage'], registers: [this.registry] });
  readonly configInfo = new Gauge({ name: 'bso_haproxy_config_info', help: 'Always 1; labels name the config being served.', labelNames: ['hash'], registers: [this.registry] });
  readonly operatorUp = new Gauge({ name: 'bso_haproxy_operator_up', help: '1 when the last exchange with the operator worked.', registers: [this.registry] });
  readonly fetchErrors = new Counter({ name: 'bso_haproxy_config_fetch_errors_total', help: 'Failed config requests to the operator.', registers: [this.registry] });
  readonly statusErrors = new Counter({ name: 'bso_haproxy_status_report_errors_total', help: 'Failed status reports to the operator.', registers: [this.registry] });
  readonly masterRestarts = new Counter({ name: 'bso_haproxy_master_restarts_total', help: 'Times the HAProxy master exited unexpectedly and was started again.', registers: [this.registry] });
  readonly oldWorkers = new Gauge({ name: 'bso_haproxy_old_workers', help: 'Old HAProxy workers still finishing requests after reloads.', registers: [this.registry] });
  readonly panicActive = new Gauge({ name: 'bso_haproxy_panic_guard_active', help: '1 while the panic guard keeps overloaded servers in service (too few would serve otherwise).', registers: [this.registry] });
  readonly panicHeld = new Gauge({ name: 'bso_haproxy_panic_guard_held_servers', help: 'Servers the panic guard keeps in service although their agent says maint.', registers: [this.registry] });
  readonly panicEngagements = new Counter({ name: 'bso_haproxy_panic_guard_engagements_total', help: 'Times the panic guard engaged.', registers: [this.registry] });
  readonly running = new Gauge({ name: 'bso_haproxy_up', help: '1 when the HAProxy master runs with a worker.', registers: [this.registry] });

  constructor() {
    for (const outcome of UPDATE_OUTCOMES) this.updates.inc({ outcome }, 0);
    for (const stage of ['check', 'bind', 'reload', 'verify'] satisfies RejectStage[]) this.failedReloads.inc({ stage }, 0);
    this.fetchErrors.inc(0);
    this.statusErrors.inc(0);
    this.masterRestarts.inc(0);
    this.panicEngagements.inc(0);
  }

  countUpdate(outcome: UpdateOutcome): void {
    this.updates.inc({ outcome });
  }

  setConfigHash(hash: string): void {
    this.configInfo.reset();
    this.configInfo.set({ hash }, 1);
  }
}
