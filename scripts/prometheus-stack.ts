// Prometheus on the Swarm, deployed from deploy/prometheus/prometheus.stack.yml with
// deploy/prometheus/prometheus.swarm.yml, the way docs/observability.md says: for the demo
// (scripts/demo-prometheus.ts) and the end-to-end test. No registry: the image is Debian's
// prometheus binary (the host's package) on bso's offline base image. What differs from
// production is said where it is changed.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { run } from '../bench/lib/run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const PROMETHEUS_IMAGE = 'bso-prometheus:latest';

/** bso-base + /usr/bin/prometheus (skipped when the image exists with the same binary). */
export async function buildPrometheusImage(baseImage = 'bso-base:bookworm'): Promise<void> {
  const binary = '/usr/bin/prometheus';
  const version = (await run(binary, ['--version'])).stdout.split('\n')[0]!.trim();
  const current = await run('docker', ['image', 'inspect', '-f', '{{index .Config.Labels "org.bso.prometheus"}}', PROMETHEUS_IMAGE], { allowFailure: true });
  if (current.code === 0 && current.stdout.trim() === version) return;
  const context = mkdtempSync(join(tmpdir(), 'bso-prometheus-image-'));
  copyFileSync(binary, join(context, 'prometheus'));
  writeFileSync(join(context, 'Dockerfile'), [
    `FROM ${baseImage}`,
    'COPY prometheus /bin/prometheus',
    `LABEL org.bso.prometheus="${version}"`,
    'ENTRYPOINT ["/bin/prometheus"]',
    '',
  ].join('\n'));
  await run('docker', ['build', '-q', '-t', PROMETHEUS_IMAGE, context]);
}

export interface StackOptions {
  stack: string;
  /** Host port Prometheus publishes (the stack file's 9090 is changed to it). */
  port: number;
  /** The e2e's HAProxy stats port: the config's default (8404) is changed to it, as the operator sets no bso.dev/metrics-port label yet. */
  statsPort: number;
  /** The operator runs as a process on this host, not as a Swarm task: scraped at this address (docker_gwbridge's gateway). */
  operatorTarget: string;
}

/** The repository's config, changed only as StackOptions says; a shorter discovery refresh (3 s) so new replicas show at once. */
export function e2ePrometheusConfig(options: StackOptions): string {
  let text = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.swarm.yml'), 'utf8');
  const defaultStats = '        replacement: "8404"  # bso-default-stats-port\n';
  if (!text.includes(defaultStats)) throw new Error('prometheus.swarm.yml: the default stats port line changed');
  text = text.replace(defaultStats, `        replacement: "${options.statsPort}"\n`);
  const operatorJob = / {2}- job_name: bso-operator\n[\s\S]*?(?=\n {2}- job_name: )/.exec(text);
  if (!operatorJob) throw new Error('prometheus.swarm.yml: no bso-operator job');
  text = text.replace(operatorJob[0], [
    '  - job_name: bso-operator',
    '    static_configs:',
    `      - targets: ['${options.operatorTarget}']`,
  ].join('\n'));
  return text.replaceAll('refresh_interval: 15s', 'refresh_interval: 3s');
}

/** docker stack deploy of a copy of the stack file (image and port changed) with the e2e config. */
export async function deployPrometheusStack(options: StackOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bso-prometheus-stack-'));
  mkdirSync(join(dir, 'rules'));
  copyFileSync(join(ROOT, 'deploy/prometheus/rules/bso-alerts.yml'), join(dir, 'rules/bso-alerts.yml'));
  writeFileSync(join(dir, 'prometheus.swarm.yml'), e2ePrometheusConfig(options));
  const stackFile = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.stack.yml'), 'utf8');
  if (!stackFile.includes('published: 9090')) throw new Error('prometheus.stack.yml: no published: 9090');
  writeFileSync(join(dir, 'prometheus.stack.yml'), stackFile.replace('published: 9090', `published: ${options.port}`));
  // The stack file reads PROMETHEUS_IMAGE from the environment.
  await promisify(execFile)('docker', ['stack', 'deploy', '-c', join(dir, 'prometheus.stack.yml'), options.stack], {
    cwd: dir, env: { ...process.env, PROMETHEUS_IMAGE },
  }).catch((error: { stderr?: string }) => { throw new Error(`docker stack deploy failed: ${error.stderr ?? error}`); });
  return dir;
}

export async function removePrometheusStack(stack: string): Promise<void> {
  await run('docker', ['stack', 'rm', stack], { allowFailure: true });
}

/** As docs/observability.md says: Prometheus joins each BalancedService's network. */
export async function joinNetwork(stack: string, network: string): Promise<void> {
  const service = `${stack}_prometheus`;
  const spec = JSON.parse((await run('docker', ['service', 'inspect', service])).stdout) as Array<{ Spec: { TaskTemplate: { Networks?: Array<{ Target: string }> } } }>;
  const id = (await run('docker', ['network', 'inspect', '-f', '{{.Id}}', network])).stdout.trim();
  if ((spec[0]!.Spec.TaskTemplate.Networks ?? []).some((n) => n.Target === id || n.Target === network)) return;
  await run('docker', ['service', 'update', '--detach=true', '--network-add', network, service]);
}

export async function gwbridgeGateway(): Promise<string> {
  return (await run('docker', ['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'docker_gwbridge'])).stdout.trim();
}
