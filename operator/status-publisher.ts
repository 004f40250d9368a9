// Shows status and events on the resource itself where the orchestrator keeps them (Kubernetes:
// the status subresource and core Events; Swarm has neither and no reporter). The reconciler
// hands over every status it computes; this writes only what changed since the last write that
// succeeded (CPU and memory, which move with every report, stay off the resource: `bso top`
// shows them), one write at a time per service, the newest status winning. A failed write is
// logged and tried again with the next status.
import type { BalancedServiceStatus } from '../crd/types.generated.js';
import type { Logger } from '../lib/logger.js';
import type { ServiceStatus } from './core/service-status.js';
import type { OperatorEvent } from './event-log.js';

export interface ResourceReporter {
  writeStatus(name: string, status: BalancedServiceStatus): Promise<void>;
  recordEvent(name: string, event: OperatorEvent): Promise<void>;
  /** The service is gone: forget what was cached about it. */
  forget(name: string): void;
}

type ServerState = NonNullable<BalancedServiceStatus['servers']>[number]['state'];

/** The status as the resource shows it: everything but the per-report CPU and memory figures and report times. */
export function resourceStatusOf(status: ServiceStatus): BalancedServiceStatus {
  return {
    observedGeneration: status.observedGeneration,
    replicas: status.replicas,
    readyReplicas: status.readyReplicas,
    ...(status.configHash ? { configHash: status.configHash } : {}),
    conditions: status.conditions.map((c) => ({ ...c })),
    servers: status.servers.map(({ cpu: _cpu, memory: _memory, ...server }) => ({ ...server, state: server.state as ServerState })),
    // Without reportedAt: it changes at every report, and the resource would be written each time.
    ...(status.instances ? { instances: status.instances.map(({ reportedAt: _at, ...i }) => ({ ...i, servers: i.servers.map((s) => ({ ...s, state: s.state as ServerState })) })) } : {}),
    ...(status.rollout ? { rollout: { ...status.rollout } } : {}),
  };
}

export class StatusPublisher {
  private readonly written = new Map<string, string>();
  private readonly pending = new Map<string, BalancedServiceStatus>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly reporter: ResourceReporter, private readonly logger: Logger) {}

  status(name: string, status: ServiceStatus): void {
    const shown = resourceStatusOf(status);
    if (this.written.get(name) === JSON.stringify(shown)) return;
    this.pending.set(name, shown);
    if (!this.inFlight.has(name)) this.inFlight.set(name, this.drain(name));
  }

  event(name: string, event: OperatorEvent): void {
    this.reporter.recordEvent(name, event).catch((error: unknown) => {
      this.logger.warn(`could not record event ${event.reason} on BalancedService ${name}: ${(error as Error).message}`, { balancedservice: name });
    });
  }

  forget(name: string): void {
    this.written.delete(name);
    this.pending.delete(name);
    this.reporter.forget(name);
  }

  /** Resolves when every write started so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  private async drain(name: string): Promise<void> {
    try {
      for (let next = this.pending.get(name); next; next = this.pending.get(name)) {
        this.pending.delete(name);
        const text = JSON.stringify(next);
        if (this.written.get(name) === text) continue;
        try {
          await this.reporter.writeStatus(name, next);
          this.written.set(name, text);
        } catch (error) {
          this.written.delete(name);
          this.logger.warn(`could not write the status of BalancedService ${name}: ${(error as Error).message}`, { balancedservice: name });
        }
      }
    } finally {
      this.inFlight.delete(name);
    }
  }
}
