// prom-client's default process and Node.js metrics under their standard names (process_*,
// nodejs_*), so stock dashboards and alerts find them, with a label naming the component
// (operator, api), minus the three gauges it names *_total (Prometheus reserves that suffix for
// counters; promtool check metrics refuses it).
import { collectDefaultMetrics, type Registry } from 'prom-client';

const MISNAMED_GAUGES = ['active_handles_total', 'active_requests_total', 'active_resources_total'];

/**
 * How often prom-client's event-loop monitor wakes (its default, 10 ms, wakes a process 100 times a
 * second at idle); lag below this is not resolved, which is fine for a gauge of stalls.
 */
export const EVENT_LOOP_PRECISION_MS = 100;

/** Which bso program a process is, as the `component` label of its process and Node.js metrics. */
export type Component = 'operator' | 'api';

export function collectProcessMetrics(registry: Registry, component: Component): void {
  collectDefaultMetrics({ register: registry, labels: { component }, eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(`nodejs_${name}`);
}
