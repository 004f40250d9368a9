// npm run demo's Prometheus: deploy/prometheus/prometheus.stack.yml with the shipped scrape config
// and alert rules, as a Swarm stack named bso-demo-prometheus on this manager; the operator runs
// on the host, so it is scraped at docker_gwbridge's gateway. Joins each BalancedService's
// network named on the command line, waits until Prometheus is ready, prints its URL.
//   node --import tsx scripts/demo-prometheus.ts [--remove] [--port 9090] [--operator-port 9464] NETWORK...
import { parseArgs } from 'node:util';
import { waitFor } from '../bench/lib/run.js';
import { buildPrometheusImage, deployPrometheusStack, gwbridgeGateway, joinNetwork, removePrometheusStack } from './prometheus-stack.js';

const STACK = 'bso-demo-prometheus';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { remove: { type: 'boolean' }, port: { type: 'string', default: '9090' }, 'operator-port': { type: 'string', default: '9464' }, 'stats-port': { type: 'string', default: '8404' } },
});

if (values.remove) {
  await removePrometheusStack(STACK);
  console.log(`removed the ${STACK} stack`);
} else {
  const port = Number(values.port);
  const url = `http://localhost:${port}`;
  const step = (text: string) => console.log(`==> ${text}`);
  step('building the Prometheus image (Debian\'s prometheus on bso-base, no registry)');
  await buildPrometheusImage();
  step(`deploying ${STACK} (deploy/prometheus/prometheus.stack.yml, prometheus.swarm.yml, rules/bso-alerts.yml)`);
  await deployPrometheusStack({ stack: STACK, port, statsPort: Number(values['stats-port']), operatorTarget: `${await gwbridgeGateway()}:${values['operator-port']}` });
  for (const network of positionals) await joinNetwork(STACK, network);
  await waitFor(`Prometheus to be ready at ${url}`, 180_000, () => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), 1000);
  console.log(`Prometheus is ready: ${url}`);
}
