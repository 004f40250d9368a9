// The Prometheus configurations and rules in deploy/prometheus, checked by Debian's promtool and
// run by a real Prometheus: which targets each finds (Swarm: its real Docker Swarm service
// discovery against a Docker API on loopback; Kubernetes: the same relabelling fed by file_sd,
// as Debian's build has no Kubernetes discovery), and every alert's unit tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startFakeSwarmApi } from '../fakes/swarm-api/fake-swarm-api.js';
import { eventually, runPromtool, startPrometheus, type ActiveTarget } from './prometheus-server.js';

const DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const read = (name: string) => readFileSync(`${DIR}${name}`, 'utf8');
const RULES = read('rules/bso-alerts.yml');

/** Debian's Prometheus is built without Kubernetes discovery: the same jobs with file_sd instead. */
function kubernetesWithFileSd(): string {
  const text = read('prometheus.kubernetes.yml');
  const swapped = text.replaceAll('kubernetes_sd_configs:\n      - role: pod\n', 'file_sd_configs:\n      - files: [pods.json]\n        refresh_interval: 1s\n');
  assert.equal(swapped.match(/file_sd_configs/g)?.length, 3, 'expected three kubernetes_sd_configs blocks with role pod');
  assert.doesNotMatch(swapped, /kubernetes_sd_configs/);
  return swapped;
}

function summarize(targets: ActiveTarget[]): string[] {
  return targets
    .map((t) => {
      const labels = Object.entries(t.labels).filter(([k]) => k !== 'job' && k !== 'instance').map(([k, v]) => `${k}=${v}`).sort().join(',');
      return `${t.labels['job']} ${t.scrapeUrl} ${labels}`;
    })
    .sort();
}

test('promtool: the Swarm config is valid, with its rules', () => {
  const result = runPromtool(['check', 'config', 'prometheus.swarm.yml'], { cwd: DIR });
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, /SUCCESS: 1 rule files found/);
});

test('promtool: the Kubernetes config is valid (its discovery swapped for file_sd, see above)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-k8s-config-'));
  try {
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'bso-alerts.yml'), RULES);
    writeFileSync(join(dir, 'pods.json'), '[]');
    writeFileSync(join(dir, 'prometheus.yml'), kubernetesWithFileSd());
    const result = runPromtool(['check', 'config', 'prometheus.yml'], { cwd: dir });
    assert.equal(result.status, 0, result.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool: the alert rules are valid and pass their unit tests', () => {
  const check = runPromtool(['check', 'rules', 'rules/bso-alerts.yml'], { cwd: DIR });
  assert.equal(check.status, 0, check.output);
  const alerts = [...RULES.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
  for (const wanted of ['BsoAllReplicasInMaint', 'BsoHAProxyConfigRejected', 'BsoReconcileFailing', 'BsoNotReady', 'BsoOperatorDown', 'BsoBackendDown', 'BsoAgentNotAnswering', 'BsoPanicGuardActive']) assert.ok(alerts.includes(wanted), `missing alert ${wanted}`);
  const tests = read('rules/bso-alerts.test.yml');
  for (const alert of alerts) assert.match(tests, new RegExp(`alertname: ${alert}\\n`), `no unit test for ${alert}`);
  const unit = runPromtool(['test', 'rules', 'rules/bso-alerts.test.yml'], { cwd: DIR });
  assert.equal(unit.status, 0, unit.output);
  assert.match(unit.output, /SUCCESS/);
});

test('every alert has a runbook_url naming a section of docs/runbooks.md that exists', () => {
  const rules = parse(RULES) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }> };
  const runbooks = readFileSync(fileURLToPath(new URL('../../docs/runbooks.md', import.meta.url)), 'utf8');
  const anchors = new Set([...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1]!.toLowerCase()));
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  assert.ok(alerts.length >= 8);
  for (const rule of alerts) {
    assert.equal(rule.annotations?.runbook_url, `docs/runbooks.md#${rule.alert!.toLowerCase()}`, rule.alert);
    assert.ok(anchors.has(rule.alert!.toLowerCase()), `docs/runbooks.md has no section ## ${rule.alert}`);
  }
});

test('Swarm: Docker Swarm discovery finds the operator, each running replica and each HAProxy stats port, on the right network', { timeout: 60_000 }, async (t) => {
  const docker = await startFakeSwarmApi();
  const config = read('prometheus.swarm.yml')
    .replaceAll('unix:///var/run/docker.sock', docker.url)
    .replaceAll('refresh_interval: 15s', 'refresh_interval: 1s');
  assert.equal(config.split(docker.url).length - 1, 3, 'three jobs use Docker Swarm discovery');
  const prometheus = await startPrometheus(config, {});
  t.after(async () => { await prometheus.stop(); await docker.close(); });

  const expected = [
    'bso-api http://10.0.1.5:8080/metrics balancedservice=hello,node=swarm-1,service=hello-api,task_slot=1',
    'bso-api http://10.0.1.6:8080/metrics balancedservice=hello,node=swarm-1,service=hello-api,task_slot=2',
    'bso-api http://10.0.2.5:9000/metrics balancedservice=web,node=swarm-1,service=web-api,task_slot=1',
    'bso-haproxy http://10.0.1.9:8404/metrics balancedservice=hello,node=swarm-1,service=hello-haproxy',
    'bso-haproxy http://10.0.2.9:9404/metrics balancedservice=web,node=swarm-1,service=web-haproxy',
    'bso-operator http://10.0.9.2:9464/metrics node=swarm-1,service=bso_operator',
  ];
  const active = await eventually('discovered targets', 30_000, async () => {
    const targets = await prometheus.targets();
    const found = summarize(targets.activeTargets);
    return found.length >= expected.length ? found : undefined;
  });
  assert.deepEqual(active, expected, `requests to the Docker API: ${docker.requests.slice(0, 8).join(', ')}\n${prometheus.output()}`);
  // Prometheus keeps only the labels above: no __tmp_ or __meta_ label leaks into series.
  for (const target of (await prometheus.targets()).activeTargets) {
    assert.deepEqual(Object.keys(target.labels).filter((k) => k.startsWith('__')), []);
  }
});

test('Kubernetes: pod discovery relabelling keeps the metrics port of each bso pod', { timeout: 60_000 }, async (t) => {
  const pod = (name: string, component: string | undefined, ip: string, ports: Array<[string, number]>, extra: Record<string, string> = {}) =>
    ports.map(([portName, port]) => ({
      targets: [`${ip}:${port}`],
      labels: {
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_pod_name: name,
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_node_name: 'k8s-1',
        __meta_kubernetes_pod_ip: ip,
        __meta_kubernetes_pod_container_port_name: portName,
        __meta_kubernetes_pod_container_port_number: String(port),
        ...(component ? { __meta_kubernetes_pod_label_app_kubernetes_io_managed_by: 'bso', __meta_kubernetes_pod_label_bso_dev_component: component } : {}),
        ...(component && component !== 'operator' ? { __meta_kubernetes_pod_label_bso_dev_balancedservice: 'hello' } : {}),
        ...extra,
      },
    }));
  const pods = [
    ...pod('bso-operator-0', 'operator', '10.1.0.2', [['metrics', 9464]]),
    ...pod('hello-api-a', 'api', '10.1.0.5', [['http', 8080], ['agent', 9999]]),
    ...pod('hello-api-b', 'api', '10.1.0.6', [['http', 8080], ['agent', 9999]]),
    ...pod('hello-api-c', 'api', '10.1.0.7', [['http', 8080]], { __meta_kubernetes_pod_phase: 'Pending' }),
    ...pod('hello-api-d', 'api', '10.1.0.8', [['http', 8080]], { __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'false' }),
    ...pod('hello-haproxy-a', 'haproxy', '10.1.0.9', [['http', 80], ['stats', 8404]]),
    ...pod('nginx', undefined, '10.1.0.10', [['http', 80], ['metrics', 9113]]),
  ];
  const prometheus = await startPrometheus(kubernetesWithFileSd(), { 'pods.json': JSON.stringify(pods) });
  t.after(() => prometheus.stop());
  const expected = [
    'bso-api http://10.1.0.5:8080/metrics balancedservice=hello,namespace=shop,node=k8s-1,pod=hello-api-a',
    'bso-api http://10.1.0.6:8080/metrics balancedservice=hello,namespace=shop,node=k8s-1,pod=hello-api-b',
    'bso-haproxy http://10.1.0.9:8404/metrics balancedservice=hello,namespace=shop,node=k8s-1,pod=hello-haproxy-a',
    'bso-operator http://10.1.0.2:9464/metrics namespace=shop,node=k8s-1,pod=bso-operator-0',
  ];
  const active = await eventually('discovered targets', 30_000, async () => {
    const found = summarize((await prometheus.targets()).activeTargets);
    return found.length >= expected.length ? found : undefined;
  });
  assert.deepEqual(active, expected);
});
