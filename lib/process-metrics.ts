// prom-client's default process and Node.js metrics under a prefix, minus the three gauges it
// names *_total (Prometheus reserves that suffix for counters; promtool check metrics refuses it).
import { collectDefaultMetrics, type Registry } from 'prom-client';

const MISNAMED_GAUGES = ['active_handles_total', 'active_requests_total', 'active_resources_total'];

export function collectProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(`${prefix}nodejs_${name}`);
}
