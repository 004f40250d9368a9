// PromQL the experiment chart reads, by BalancedService name (the dashboard test runs these too).
// `window` is the rate window: at least four scrape intervals.

const APP = (name: string) => `job="bso-api", balancedservice="${name}", route!~"/healthz|/metrics"`;

export const CHART_QUERIES = {
  /** Each replica's share of the application requests (0..1), by instance. */
  share: (name: string, window = '20s') =>
    `sum by (instance, task_slot) (rate(bso_api_requests_total{${APP(name)}}[${window}]))\n/ ignoring (instance, task_slot) group_left\nsum(rate(bso_api_requests_total{${APP(name)}}[${window}]))`,
  /** Each replica's smoothed CPU use of its limit (0..1). */
  cpu: (name: string) => `bso_agent_cpu_ratio{job="bso-api", balancedservice="${name}", signal="smoothed"}`,
  /** 1 while a replica's agent answers maint. */
  maint: (name: string) => `bso_agent_state{job="bso-api", balancedservice="${name}", state="maint"}`,
  /** The maint and ready thresholds (0..1). */
  thresholds: (name: string) => `max by (threshold) (bso_agent_threshold_ratio{job="bso-api", balancedservice="${name}"})`,
} as const;
