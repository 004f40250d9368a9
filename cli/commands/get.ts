// bso get [NAME] [-o table|wide|json|yaml]: the stored specs with the status the operator sees.
import type { Command } from 'commander';
import type { ApiObject } from '../../operator/api-object.js';
import { toApiObject } from '../../operator/api-object.js';
import { age, backendOption, contextOption, kubeconfigOption, namespaceOption, connectBackend, fetchAll, formatTable, operatorUrl } from '../connect.js';
import type { CliContext } from '../context.js';
import { outputOption } from '../options.js';
import { printDocument } from '../print-document.js';

interface GetOptions { output: string; backend: string; operator?: string }

export function registerGet(program: Command, ctx: CliContext): void {
  program.command('get [name]')
    .description('List BalancedServices with desired and ready replicas, or show one.')
    .addOption(outputOption(['table', 'wide', 'json', 'yaml']))
    .addOption(backendOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addOption(namespaceOption())
    .option('--operator <url>', 'operator API for status (default $BSO_OPERATOR_URL or http://127.0.0.1:9464)')
    .addHelpText('after', `
READY counts replicas UP in HAProxy. STATUS is Ready, or the reason it is not.
Without a reachable operator, specs are listed with STATUS Unknown.

Examples:
  bso get
  bso get -o wide
  bso get hello -o json     # status.servers: each replica's HAProxy state and weight`)
    .action(async (name: string | undefined, options: GetOptions) => {
      const backend = await connectBackend(options);
      const stored = await backend.listSpecs();
      const statuses = await fetchAll(operatorUrl(options.operator));
      const objects = stored
        .filter((s) => !name || s.name === name)
        .map((s) => statuses?.find((o) => o.metadata.name === s.name) ?? toApiObject(s, undefined));
      if (name && objects.length === 0) {
        ctx.stderr(`bso get: BalancedService ${name} not found`);
        ctx.exitCode = 1;
        return;
      }
      if (options.output === 'json' || options.output === 'yaml') await printDocument(ctx, options.output, name ? objects[0] : { items: objects });
      else {
        if (objects.length === 0) { ctx.stderr('No BalancedServices found.'); return; }
        for (const line of formatTable(table(objects, options.output === 'wide'))) ctx.stdout(line);
        if (!statuses) ctx.stderr(`(status unknown: the operator is not reachable at ${operatorUrl(options.operator)})`);
      }
    });
}

function table(objects: ApiObject[], wide: boolean): string[][] {
  const header = ['NAME', 'REPLICAS', 'READY', 'STATUS', 'AGE'];
  if (wide) header.push('IMAGE', 'PORT', 'STATS', 'MAINT');
  const rows = objects.map((o) => {
    const spec = o.spec as { image: string; replicas: number; haproxy: { port: number; statsPort: number } };
    const ready = o.status?.conditions.find((c) => c.type === 'Ready');
    const row = [o.metadata.name, String(spec.replicas), o.status ? String(o.status.readyReplicas) : '-', ready ? (ready.status === 'True' ? 'Ready' : ready.reason) : 'Unknown', age(o.metadata.creationTimestamp)];
    if (wide) row.push(spec.image, String(spec.haproxy.port), String(spec.haproxy.statsPort), String(o.status?.servers.filter((s) => s.state === 'MAINT').length ?? '-'));
    return row;
  });
  return [header, ...rows];
}
