// spec -> the seed's stack for `docker stack deploy`, without the operator: the same desired
// services, the same rendered HAProxy config (mounted as HAProxy's bootstrap config), the same
// limits and agent environment. Pure; `bso render stack` writes it out.
import type { BalancedService } from '../../crd/types.generated.js';
import { desiredStateFor, type DesiredService } from './desired-state.js';
import { swarmConstraints } from './swarm-constraints.js';
import { updateOrder } from './swarm-rollout.js';
import { READINESS_PROBE, servingCheckCommand } from '../../contract/readiness.js';
import { apiServiceName, haproxyServiceName, networkName, statsSecretName, SUPERVISOR_ENV } from '../../contract/names.js';

/** Where the HAProxy image's supervisor looks for its bootstrap config. */
export const BOOTSTRAP_TARGET = '/etc/bso/haproxy-bootstrap.cfg';
export const HAPROXY_CONFIG_FILE = 'haproxy.cfg';

/** The DNS name HAProxy resolves in the stack: the API service's alias on the stack network. */
export const stackReplicasHost = (name: string) => apiServiceName(name);

export function composeStackFor(object: BalancedService): Record<string, unknown> {
  const name = object.metadata.name;
  const desired = desiredStateFor(object, { operatorUrl: '', tokenConfig: '' });
  const api = desired.services.find((s) => s.component === 'api')!;
  const haproxy = desired.services.find((s) => s.component === 'haproxy')!;
  const statsSecret = object.spec.haproxy.statsSecret ?? statsSecretName(name);
  const haproxyEnv = { [SUPERVISOR_ENV.name]: name, [SUPERVISOR_ENV.statsAuthFile]: `/run/secrets/${statsSecret}`, BSO_HAPROXY_BOOTSTRAP: BOOTSTRAP_TARGET };
  return {
    version: '3.8',
    services: {
      [apiServiceName(name)]: {
        image: api.image,
        environment: sorted(api.env),
        networks: { net: { aliases: [stackReplicasHost(name)] } },
        stop_grace_period: `${api.stopGracePeriodMs / 1000}s`,
        // The rollout's readiness gate, as the operator sets it (contract/readiness.ts).
        healthcheck: {
          test: servingCheckCommand(),
          interval: `${READINESS_PROBE.intervalMs / 1000}s`,
          timeout: `${READINESS_PROBE.timeoutMs / 1000}s`,
          retries: READINESS_PROBE.retries,
          start_period: `${READINESS_PROBE.startPeriodMs / 1000}s`,
        },
        deploy: {
          replicas: api.replicas,
          endpoint_mode: 'dnsrr',
          resources: { limits: limitsOf(api) },
          restart_policy: { condition: 'any', delay: '2s' },
          update_config: { ...updateOrder(api.rollout!), delay: `${api.rollout!.admitMs / 1000}s`, failure_action: 'rollback', monitor: '10s', max_failure_ratio: 0 },
          labels: stackLabels(object, 'api'),
        },
      },
      [haproxyServiceName(name)]: {
        image: haproxy.image,
        environment: sorted(haproxyEnv),
        ports: haproxy.ports.map((p) => ({ target: p.target, published: p.published, protocol: 'tcp', mode: 'host' })),
        networks: ['net'],
        configs: [{ source: 'haproxy_cfg', target: BOOTSTRAP_TARGET }],
        secrets: [{ source: 'stats_auth', target: statsSecret }],
        deploy: {
          replicas: haproxy.replicas,
          endpoint_mode: 'dnsrr',
          placement: { constraints: swarmConstraints(haproxy.placement), max_replicas_per_node: haproxy.placement.maxPerNode },
          restart_policy: { condition: 'any', delay: '2s' },
          update_config: { order: 'stop-first' },
          labels: stackLabels(object, 'haproxy'),
        },
      },
    },
    networks: { net: { name: networkName(name), driver: 'overlay', attachable: true } },
    configs: { haproxy_cfg: { file: `./${HAPROXY_CONFIG_FILE}` } },
    secrets: { stats_auth: { name: statsSecret, external: true } },
  };
}

function limitsOf(service: DesiredService): Record<string, string> {
  const out: Record<string, string> = {};
  if (service.limits.nanoCpus) out.cpus = String(service.limits.nanoCpus / 1e9);
  if (service.limits.memoryBytes) out.memory = `${Math.round(service.limits.memoryBytes / 2 ** 20)}M`;
  return out;
}

function sorted(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The stack's objects must not look owned by a BalancedService: an operator would remove them as
 * left over. They carry the user's labels and their own marker instead.
 */
export const LABEL_STACK = 'bso.dev/stack';
function stackLabels(object: BalancedService, component: string): Record<string, string> {
  return { ...((object.metadata.labels ?? {}) as Record<string, string>), [LABEL_STACK]: object.metadata.name, 'bso.dev/stack-component': component };
}
