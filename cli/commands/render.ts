// bso render haproxy|k8s|stack -f PATH: what bso would generate from specs, without any cluster.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { escapeUnprintable } from '../../lib/printable-text.js';
import type { Discovery } from '../../haproxy/render/context.js';
import type { CliContext } from '../context.js';
import { addFilenameOptions, readSpecs, refusedForIssues, type FilenameOptions } from '../options.js';

interface RenderOptions extends FilenameOptions { discovery: 'swarm' | 'kubernetes'; namespace?: string; clusterDomain?: string; slots?: string }
interface StackOptions extends FilenameOptions { outputDir?: string }
interface KubernetesRenderOptions extends FilenameOptions { namespace?: string; haproxyServiceType: 'LoadBalancer' | 'NodePort' | 'ClusterIP'; operatorUrl?: string; pdbVersion: 'v1' | 'v1beta1' }

export function registerRender(program: Command, ctx: CliContext): void {
  const render = program.command('render').description('Print what bso would generate from spec files, without touching any cluster.');
  addFilenameOptions(render.command('haproxy')
    .description('Print the HAProxy configuration the operator would serve for the given specs.'))
    .addOption(new Option('--discovery <kind>', 'how HAProxy finds the replicas').choices(['swarm', 'kubernetes']).default('swarm'))
    .option('--namespace <namespace>', 'with --discovery=kubernetes: namespace of the headless Service (default: the spec\'s, else "default")')
    .option('--cluster-domain <domain>', 'with --discovery=kubernetes: the cluster\'s DNS domain', 'cluster.local')
    .option('--slots <n>', 'server slots of the backend (default: slotsFor(spec.replicas))')
    .addHelpText('after', `
One config per spec; with several specs each starts with a "# ---- NAME ----" line.
The stats credentials are not in the text: HAProxy reads BSO_STATS_USER and BSO_STATS_PASSWORD
from its environment (see docs/haproxy.md).

Examples:
  bso render haproxy -f examples/hello.yaml
  bso render haproxy -f examples/hello.yaml --discovery kubernetes --namespace shop`)
    .action(async (options: RenderOptions) => {
      const { specs, issues } = await readSpecs(options, ctx);
      if (refusedForIssues(issues, 'rendered', ctx)) return;
      const slotsOverride = options.slots === undefined ? undefined : Number(options.slots);
      if (slotsOverride !== undefined && (!Number.isInteger(slotsOverride) || slotsOverride < 1 || slotsOverride > 4096)) {
        ctx.stderr(`bso render haproxy: --slots must be an integer from 1 to 4096, not ${JSON.stringify(options.slots)}`);
        ctx.exitCode = 2;
        return;
      }
      const [{ renderServiceConfig }, { slotsFor }] = await Promise.all([import('../../haproxy/render/render-service.js'), import('../../haproxy/render/slots.js')]);
      const outputs = specs.map(({ object }) => {
        const discovery: Discovery = options.discovery === 'kubernetes'
          ? { kind: 'kubernetes', namespace: options.namespace ?? object.metadata.namespace ?? 'default', clusterDomain: options.clusterDomain }
          : { kind: 'swarm' };
        const slots = slotsOverride !== undefined && slotsOverride >= object.spec.replicas ? slotsOverride : slotsFor(object.spec.replicas);
        return { name: object.metadata.name, text: renderServiceConfig(object, { discovery, slots }).text };
      });
      outputs.forEach(({ name, text }, i) => {
        if (outputs.length > 1) ctx.stdout(`${i > 0 ? '\n' : ''}# ---- ${name} ----`);
        ctx.stdout(text.replace(/\n$/, ''));
      });
    });

  addFilenameOptions(render.command('k8s')
    .description('Print every Kubernetes object the operator would create for the given specs, as YAML documents.'))
    .option('--namespace <namespace>', 'the operator\'s namespace, where it creates everything (default: the spec\'s, else bso-system)')
    .addOption(new Option('--haproxy-service-type <type>', 'how HAProxy is exposed, as the operator\'s BSO_HAPROXY_SERVICE_TYPE').choices(['LoadBalancer', 'NodePort', 'ClusterIP']).default('LoadBalancer'))
    .option('--operator-url <url>', 'how the HAProxy supervisors reach the operator (default: http://bso-operator.NAMESPACE.svc:9464, deploy/k8s\'s Service)')
    .addOption(new Option('--pdb-version <version>', 'the PodDisruptionBudgets\' policy API: v1 (Kubernetes 1.21 and later) or v1beta1 (1.20; removed in 1.25); the operator asks its API server instead').choices(['v1', 'v1beta1']).default('v1'))
    .addHelpText('after', `
Per spec: the NetworkPolicy, the stats Secret (with fresh random credentials, as the operator
generates them; absent when spec.haproxy.statsSecret names your own), and a Deployment and a
Service for the API replicas and for HAProxy, and a PodDisruptionBudget for each of them that has
several replicas. The operator writes the Deployments by server-side
apply as field manager "bso". The BalancedService itself is what you apply (bso apply, or
kubectl apply -f the spec); the operator's own objects are in deploy/k8s.

Examples:
  bso render k8s -f examples/hello.yaml
  bso render k8s -f examples/hello.yaml | kubectl apply --dry-run=server -f -
  bso render k8s -f examples/hello.yaml --pdb-version v1beta1     # for Kubernetes 1.20`)
    .action(async (options: KubernetesRenderOptions) => {
      const { specs, issues } = await readSpecs(options, ctx);
      if (refusedForIssues(issues, 'rendered', ctx)) return;
      const [{ kubernetesManifests }, { stringify }] = await Promise.all([import('../../operator/kubernetes/render-manifests.js'), import('yaml')]);
      const documents = specs.flatMap(({ object }) => {
        const namespace = options.namespace ?? object.metadata.namespace ?? 'bso-system';
        const operatorUrl = options.operatorUrl ?? `http://bso-operator.${namespace}.svc:9464`;
        return kubernetesManifests(object, { namespace, haproxyServiceType: options.haproxyServiceType, operatorUrl, policyVersion: options.pdbVersion });
      });
      ctx.stdout(documents.map((d) => stringify(d, { lineWidth: 0 }).replace(/\n$/, '')).join('\n---\n'));
    });

  addFilenameOptions(render.command('stack')
    .description('Print (or write) the seed\'s stack without the operator, docker-stack.yml and haproxy.cfg, for docker stack deploy.'), 'the spec (exactly one BalancedService in all)')
    .option('--output-dir <dir>', 'write docker-stack.yml and haproxy.cfg into this folder instead of printing them')
    .addHelpText('after', `
The same templates as the operator: the same services, limits, agent environment and HAProxy
config, but the config is fixed at deploy time (scaling beyond the slots needs a new render).
Compare it with the operator: deploy/swarm/docker-stack.yml is rendered from examples/hello.yaml.
Printed, each file starts with a "# ---- FILE ----" line.

Examples:
  bso render stack -f examples/hello.yaml
  bso render stack -f examples/hello.yaml --output-dir deploy/swarm
  docker stack deploy -c deploy/swarm/docker-stack.yml hello`)
    .action(async (options: StackOptions) => {
      const { specs, issues } = await readSpecs(options, ctx);
      if (issues.length > 0 || specs.length !== 1) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        if (issues.length === 0) ctx.stderr(`bso render stack: ${options.filename.map(escapeUnprintable).join(', ')} must hold exactly one BalancedService in all, not ${specs.length}`);
        ctx.exitCode = issues.length > 0 ? 1 : 2;
        return;
      }
      const { stackFiles } = await import('../../operator/core/stack-files.js');
      const files = Object.entries(stackFiles(specs[0]!.object, specs[0]!.file));
      if (options.outputDir === undefined) {
        files.forEach(([file, text], i) => ctx.stdout(`${i > 0 ? '\n' : ''}# ---- ${file} ----\n${text.replace(/\n$/, '')}`));
        return;
      }
      mkdirSync(options.outputDir, { recursive: true });
      for (const [file, text] of files) {
        writeFileSync(join(options.outputDir, file), text);
        ctx.stdout(`wrote ${join(options.outputDir, file)}`);
      }
    });
}
