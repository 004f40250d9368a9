// bso render haproxy -f FILE: the HAProxy configuration the operator would serve for the specs.
import { Option, type Command } from 'commander';
import { formatIssue } from '../../crd/spec-issue.js';
import { escapeUnprintable } from '../../crd/printable-text.js';
import type { Discovery } from '../../haproxy/render/context.js';
import { renderServiceConfig } from '../../haproxy/render/render-service.js';
import { slotsFor } from '../../haproxy/render/slots.js';
import { loadSpecFiles } from '../read-spec-files.js';
import type { CliContext } from '../context.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackFiles } from '../../operator/core/stack-files.js';

interface RenderOptions { filename: string[]; discovery: 'swarm' | 'kubernetes'; namespace?: string; clusterDomain?: string; slots?: string }

export function registerRender(program: Command, ctx: CliContext): void {
  const render = program.command('render').description('Print what bso would generate from spec files, without touching any cluster.');
  render.command('haproxy')
    .description('Print the HAProxy configuration the operator would serve for the given specs.')
    .requiredOption('-f, --filename <files...>', 'spec files ("-" reads standard input)')
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
    .action((options: RenderOptions) => {
      const { specs, issues } = loadSpecFiles(options.filename);
      if (issues.length > 0) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        ctx.stderr(`${issues.length} problem${issues.length === 1 ? '' : 's'} found; nothing was rendered.`);
        ctx.exitCode = 1;
        return;
      }
      const slotsOverride = options.slots === undefined ? undefined : Number(options.slots);
      if (slotsOverride !== undefined && (!Number.isInteger(slotsOverride) || slotsOverride < 1 || slotsOverride > 4096)) {
        ctx.stderr(`bso render haproxy: --slots must be an integer from 1 to 4096, not ${JSON.stringify(options.slots)}`);
        ctx.exitCode = 2;
        return;
      }
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

  render.command('stack')
    .description('Write the seed\'s stack without the operator (docker-stack.yml + haproxy.cfg) for docker stack deploy.')
    .requiredOption('-f, --filename <file>', 'one spec file')
    .requiredOption('-o, --output <dir>', 'folder to write docker-stack.yml and haproxy.cfg into')
    .addHelpText('after', `
The same templates as the operator: the same services, limits, agent environment and HAProxy
config, but the config is fixed at deploy time (scaling beyond the slots needs a new render).
Compare it with the operator: deploy/swarm/docker-stack.yml is rendered from examples/hello.yaml.

Example:
  bso render stack -f examples/hello.yaml -o deploy/swarm
  docker stack deploy -c deploy/swarm/docker-stack.yml hello`)
    .action((options: { filename: string; output: string }) => {
      const { specs, issues } = loadSpecFiles([options.filename]);
      if (issues.length > 0 || specs.length !== 1) {
        for (const issue of issues) ctx.stderr(formatIssue(issue));
        if (issues.length === 0) ctx.stderr(`bso render stack: ${escapeUnprintable(options.filename)} must hold exactly one BalancedService, not ${specs.length}`);
        ctx.exitCode = issues.length > 0 ? 1 : 2;
        return;
      }
      mkdirSync(options.output, { recursive: true });
      for (const [file, text] of Object.entries(stackFiles(specs[0]!.object, options.filename))) {
        writeFileSync(join(options.output, file), text);
        ctx.stdout(`wrote ${join(options.output, file)}`);
      }
    });
}
