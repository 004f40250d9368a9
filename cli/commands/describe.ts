// bso describe NAME: the spec's essentials, conditions, servers and recent events.
import type { Command } from 'commander';
import { age, backendOption, contextOption, kubeconfigOption, namespaceOption, connectBackend, fetchStatus, formatTable, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { outputOption } from '../options.js';
import { printDocument } from '../print-document.js';
import { toApiObject } from '../../operator/api-object.js';
import { formatIssue } from '../../crd/spec-issue.js';
import { statsSecretName } from '../../contract/names.js';
import type { InstanceStatus } from '../../operator/core/instance-reports.js';
import type { ServerStatus } from '../../operator/core/service-status.js';
import { hostOf, PROMETHEUS_QUERIES, queryByHost } from './top-sources.js';

interface DescribeOptions { backend: string; operator?: string; prometheus?: string; output: 'text' | 'json' | 'yaml' }

export function registerDescribe(program: Command, ctx: CliContext): void {
  program.command('describe <name>')
    .description('Show one BalancedService in detail: conditions, servers with state and weight, recent events.')
    .addOption(backendOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(namespaceOption())
    .option('--operator <url>', 'operator API for status (default $BSO_OPERATOR_URL or http://127.0.0.1:9464)')
    .option('--prometheus <url>', 'Prometheus scraping the replicas, for each server\'s CPU (default $BSO_PROMETHEUS_URL; deploy/prometheus)')
    .addOption(outputOption(['text', 'json', 'yaml'], 'text for people; json or yaml: the object with its status and events (as the operator\'s API gives it)'))
    .addHelpText('after', '\nExamples:\n  bso describe hello       # conditions, each replica\'s HAProxy state and weight, events\n  bso describe hello -o json')
    .action(async (name: string, options: DescribeOptions) => {
      const stored = await (await connectBackend(options)).getSpec(name);
      if (!stored) {
        ctx.stderr(`bso describe: BalancedService ${name} not found`);
        ctx.exitCode = 1;
        return;
      }
      if (!stored.valid) {
        ctx.stderr(`bso describe: the stored BalancedService ${name} is invalid (the operator reports it and changes nothing; apply a valid spec):`);
        for (const issue of stored.issues) ctx.stderr(`  ${formatIssue(issue)}`);
        ctx.exitCode = 1;
        return;
      }
      const spec = stored.object.spec;
      const answer = await fetchStatus(operatorUrl(options.operator), name);
      if (options.output !== 'text') {
        await printDocument(ctx, options.output, answer.ok ? answer.object : toApiObject(stored, undefined));
        if (!answer.ok) ctx.stderr(`(status unknown: ${answer.reason})`);
        return;
      }
      const status = answer.ok ? answer.object.status : undefined;
      const out = ctx.stdout;
      out(`Name:        ${name}`);
      out(`Generation:  ${stored.generation}${status ? ` (observed ${status.observedGeneration})` : ''}, applied ${age(stored.updatedAt)} ago, created ${age(stored.createdAt)} ago`);
      out(`Image:       ${spec.image}`);
      out(`Replicas:    ${spec.replicas} desired, ${status ? status.readyReplicas : '?'} UP in HAProxy`);
      out(`Limits:      ${spec.resources.cpus} CPU, ${spec.resources.memory} memory per replica`);
      out(`Agent:       ${spec.agent.metric} on port ${spec.agent.port}, maint at >= ${spec.agent.thresholds.maint}%, ready at <= ${spec.agent.thresholds.ready}%, asked every ${spec.agent.interval}`);
      out(`HAProxy:     :${spec.haproxy.port} (${spec.haproxy.balance}), stats :${spec.haproxy.statsPort}/stats (credentials: secret ${spec.haproxy.statsSecret ?? statsSecretName(name)}), metrics :${spec.haproxy.statsPort}/metrics`);
      if (!answer.ok) {
        out(`Status:      unknown: ${answer.reason}`);
        return;
      }
      if (status?.rollout) out(rolloutLine(name, status.rollout, spec.rollout));
      out('Conditions:');
      const conditions = status?.conditions ?? [];
      if (conditions.length === 0) out('  (none yet)');
      else for (const line of formatTable([['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], ...conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime), c.message])])) out(`  ${line}`);
      out('Servers:');
      const servers = status?.servers ?? [];
      const prometheus = options.prometheus ?? process.env.BSO_PROMETHEUS_URL;
      const cpu = prometheus ? await queryByHost(prometheus.replace(/\/+$/, ''), PROMETHEUS_QUERIES.cpu(name)).catch(() => undefined) : undefined;
      if (servers.length === 0) out('  (none reported by HAProxy yet)');
      else for (const line of formatTable(serverTable(servers, cpu))) out(`  ${line}`);
      const known = servers.some((s) => s.cpu !== undefined) || (cpu?.size ?? 0) > 0;
      if (servers.length > 0 && !known) out(`  (CPU: ${prometheus ? `Prometheus at ${prometheus} did not answer, and the supervisor reported none` : 'not reported yet (the supervisor reads each replica\'s /metrics), or pass --prometheus URL'})`);
      const instances = status?.instances ?? [];
      if (instances.length > 1) {
        out('HAProxy instances (each one\'s view; Servers above shows the worst state any of them sees):');
        for (const line of formatTable(instanceTable(instances, status?.configHash))) out(`  ${line}`);
      }
      out('Events:');
      const events = answer.object.events ?? [];
      if (events.length === 0) out('  (none)');
      else for (const line of formatTable([['AGE', 'TYPE', 'REASON', 'MESSAGE'], ...events.slice(-15).map((e) => [age(e.time), e.type, e.reason, e.count > 1 ? `${e.message} (x${e.count})` : e.message])])) out(`  ${line}`);
    });
}

/** The servers table: HAProxy's view, which task and container each server is, and each replica's smoothed CPU (share of its limit): Prometheus's by host, else what the supervisor reported. */
export function serverTable(servers: readonly ServerStatus[], cpuByHost?: ReadonlyMap<string, number>, now = Date.now()): string[][] {
  return [['NAME', 'TASK', 'CONTAINER', 'ADDRESS', 'STATE', 'SINCE', 'WEIGHT', 'CPU', 'AGENT'], ...servers.map((s) => {
    const cpu = cpuByHost?.get(hostOf(s.address)) ?? s.cpu;
    return [s.name, s.task ?? '-', s.container ?? '-', s.address, s.state, s.stateSince ? age(new Date(s.stateSince).toISOString(), now) : '-', String(s.weight), cpu === undefined ? '-' : `${Math.round(cpu * 100)}%`, s.agent ?? '-'];
  })];
}

/** One line per HAProxy instance: its config (current or not), when it last reported, and what it sees. */
export function instanceTable(instances: readonly InstanceStatus[], configHash: string | undefined, now = Date.now()): string[][] {
  return [['INSTANCE', 'CONFIG', 'REPORTED', 'SERVERS'], ...instances.map((i) => {
    const up = i.servers.filter((s) => s.state === 'UP').length;
    const others = i.servers.filter((s) => s.state !== 'UP').map((s) => `${s.name} ${s.state}`);
    const config = i.configHash === undefined ? '-' : `${i.configHash.slice(0, 12)}${configHash && i.configHash !== configHash ? ' (old)' : ''}`;
    return [i.name, config, `${age(i.reportedAt, now)} ago`, `${up}/${i.servers.length} UP${others.length ? `; ${others.join(', ')}` : ''}`];
  })];
}

/** describe's Rollout line: where the replicas' rollout stands, and the settings it follows. */
export function rolloutLine(name: string, rollout: { state: string; message: string }, settings: { maxSurge: number; maxUnavailable: number }): string {
  return `Rollout:     ${rollout.state}: ${rollout.message} (maxSurge ${settings.maxSurge}, maxUnavailable ${settings.maxUnavailable}; follow it: bso rollout status ${name})`;
}
