// bso top: the frame is a pure function of the snapshot (terminal or not, colors or not), and
// the snapshot a pure function of what the sources said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import type { ApiObject } from '../../operator/api-object.js';
import type { CliContext } from '../context.js';
import { cpuBar, renderTopFrame, shareBar, type TopSnapshot } from './top-frame.js';
import { buildTopSnapshot, CounterWindow, hostOf, operatorCounters, parseHAProxyResponses } from './top-sources.js';
import { defaultHAProxyMetricsUrl, outputMode, registerTop } from './top.js';

const ESC = String.fromCharCode(27);
const ESCAPES = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');
const strip = (lines: string[]) => lines.map((l) => l.replace(ESCAPES, ''));

const snapshot: TopSnapshot = {
  name: 'hello',
  time: new Date('2025-01-02T03:04:05Z'),
  status: 'Ready',
  ready: true,
  desiredReplicas: 2,
  readyReplicas: 1,
  thresholds: { maint: 80, ready: 60 },
  cpuSource: 'prometheus',
  shareSource: 'haproxy',
  replicas: [
    { server: 'replica1', address: '10.0.1.5', state: 'MAINT', weight: 0, agent: 'maint', cpu: 0.93, memory: 0.4, share: 0, rate: 0 },
    { server: 'replica2', address: '10.0.1.6', state: 'UP', weight: 75, agent: 'ready 75%', cpu: 0.2, memory: 0.31, share: 1, rate: 48.25 },
  ],
  notes: [],
};

test('frame without colors: the exact text, bars on a wide terminal, no escape codes', () => {
  const lines = renderTopFrame(snapshot, { color: false, width: 120 });
  assert.deepEqual(lines, [
    'bso top hello   Ready   1/2 UP   03:04:05',
    'CPU thresholds: maint >= 80%, ready <= 60%   CPU from prometheus   traffic from haproxy (48.3 req/s)',
    '',
    'REPLICA   ADDRESS   STATE  WEIGHT  CPU                          MEM  SHARE                          REQ/S  AGENT',
    'replica1  10.0.1.5  MAINT       0  93%  [################|##.]  40%     0%  [....................]    0.0  maint',
    'replica2  10.0.1.6  UP         75  20%  [####............|...]  31%   100%  [####################]   48.3  ready 75%',
  ]);
  for (const line of lines) assert.doesNotMatch(line, ESCAPES);
});

test('frame with tasks: a TASK column names the replica in each slot (absent when no server has one)', () => {
  const withTasks: TopSnapshot = { ...snapshot, replicas: [{ ...snapshot.replicas[0]!, task: 'hello-api.2' }, snapshot.replicas[1]!] };
  const lines = renderTopFrame(withTasks, { color: false, width: 80 });
  assert.equal(lines[3], 'REPLICA   TASK         ADDRESS   STATE  WEIGHT  CPU  MEM  SHARE  REQ/S  AGENT');
  assert.equal(lines[4], 'replica1  hello-api.2  10.0.1.5  MAINT       0  93%  40%     0%    0.0  maint');
  assert.equal(lines[5], 'replica2  -            10.0.1.6  UP         75  20%  31%   100%   48.3  ready 75%');
});

test('frame with colors: the same text once escapes are removed; MAINT red, UP green, CPU over maint red', () => {
  const plain = renderTopFrame(snapshot, { color: false, width: 120 });
  const colored = renderTopFrame(snapshot, { color: true, width: 120 });
  assert.deepEqual(strip(colored), plain);
  const painted = (code: number, text: string) => `${ESC}[${code}m${text}${ESC}[0m`;
  assert.ok(colored[4]!.includes(painted(31, 'MAINT')), colored[4]);
  assert.ok(colored[5]!.includes(painted(32, 'UP   ')), colored[5]);
  assert.ok(colored[4]!.includes(painted(31, '93%')), colored[4]);
  assert.ok(colored[5]!.includes(painted(32, '20%')), colored[5]);
});

test('frame on a narrow terminal leaves the bars out; live frames show the interval', () => {
  const lines = renderTopFrame(snapshot, { color: false, width: 80, intervalMs: 1000 });
  assert.equal(lines[0], 'bso top hello   Ready   1/2 UP   every 1s  03:04:05');
  assert.equal(lines[3], 'REPLICA   ADDRESS   STATE  WEIGHT  CPU  MEM  SHARE  REQ/S  AGENT');
  assert.equal(lines[4], 'replica1  10.0.1.5  MAINT       0  93%  40%     0%    0.0  maint');
});

test('frame: unknown figures show "-", missing replicas and notes are said', () => {
  const empty = renderTopFrame({ ...snapshot, status: 'ReplicasNotReady', ready: false, replicas: [], cpuSource: undefined, shareSource: undefined, notes: ['CPU per replica: pass --prometheus URL'] }, { color: false, width: 120 });
  assert.equal(empty[0], 'bso top hello   ReplicasNotReady   1/2 UP   03:04:05');
  assert.equal(empty[1], 'CPU thresholds: maint >= 80%, ready <= 60%   CPU from -   traffic from -');
  assert.deepEqual(empty.slice(-3), ['(no replica reported by HAProxy yet)', '', 'CPU per replica: pass --prometheus URL']);
  const unknown = renderTopFrame({ ...snapshot, replicas: [{ server: 'replica1', address: '10.0.1.5', state: 'UP', weight: 100 }] }, { color: false, width: 120 });
  assert.deepEqual(unknown.slice(3, 5), [
    'REPLICA   ADDRESS   STATE  WEIGHT  CPU  MEM  SHARE  REQ/S  AGENT',
    'replica1  10.0.1.5  UP        100    -    -      -      -  -',
  ]);
});

test('bars: CPU with the maint mark, share filled in proportion', () => {
  assert.equal(cpuBar(0, 80, 10), '[........|.]');
  assert.equal(cpuBar(0.5, 80, 10), '[#####...|.]');
  assert.equal(cpuBar(1.7, 80, 10), '[########|#]');
  assert.equal(shareBar(0.25, 8), '[##......]');
  assert.equal(shareBar(Number.NaN, 4), '[....]');
});

const object = (servers: Array<Record<string, unknown>>): ApiObject => ({
  apiVersion: 'bso.dev/v1alpha1',
  kind: 'BalancedService',
  metadata: { name: 'hello', generation: 3, creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { replicas: 3, agent: { thresholds: { maint: 70, ready: 50 } }, haproxy: { statsPort: 18404 } },
  status: {
    observedGeneration: 3, replicas: 3, readyReplicas: 2,
    conditions: [{ type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message: '2 of 3', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 3 }],
    servers: servers as never,
  },
});

test('snapshot: HAProxy rates become shares, Prometheus CPU joins by replica IP, servers sorted numerically', () => {
  const servers = [
    { name: 'replica10', address: '10.0.1.7', state: 'UP', weight: 100, agent: 'ready 100%' },
    { name: 'replica2', address: '10.0.1.6', state: 'UP', weight: 50 },
    { name: 'replica1', address: '10.0.1.5', state: 'MAINT', weight: 0, agent: 'maint' },
  ];
  const s = buildTopSnapshot({
    object: object(servers),
    time: new Date(0),
    haproxyRates: new Map([['replica2', 30], ['replica10', 10], ['replica7', 99]]),
    prometheus: { cpu: new Map([['10.0.1.5', 0.9], ['10.0.1.6', 0.4]]), memory: new Map([['10.0.1.6', 0.2]]), requestRate: new Map([['10.0.1.6', 1]]) },
  });
  assert.deepEqual(s.replicas.map((r) => [r.server, r.state, r.cpu, r.memory, r.rate, r.share]), [
    ['replica1', 'MAINT', 0.9, undefined, 0, 0],
    ['replica2', 'UP', 0.4, 0.2, 30, 0.75],
    ['replica10', 'UP', undefined, undefined, 10, 0.25],
  ]);
  assert.deepEqual([s.status, s.ready, s.desiredReplicas, s.readyReplicas, s.thresholds, s.cpuSource, s.shareSource, s.notes],
    ['ReplicasNotReady', false, 3, 2, { maint: 70, ready: 50 }, 'prometheus', 'haproxy', []]);
});

test('snapshot: without sources, notes say what to pass; Prometheus request rates are the fallback for shares', () => {
  const servers = [{ name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 100 }, { name: 'replica2', address: '10.0.1.6', state: 'UP', weight: 100 }];
  const bare = buildTopSnapshot({ object: object(servers), time: new Date(0), problems: ['HAProxy exporter http://x:18404/metrics: refused'] });
  assert.equal(bare.cpuSource, undefined);
  assert.equal(bare.shareSource, undefined);
  assert.equal(bare.notes.length, 3);
  assert.match(bare.notes[1]!, /--prometheus URL/);
  const viaPrometheus = buildTopSnapshot({ object: object(servers), time: new Date(0), prometheus: { cpu: new Map(), memory: new Map(), requestRate: new Map([['10.0.1.5', 3], ['10.0.1.6', 1]]) } });
  assert.deepEqual(viaPrometheus.replicas.map((r) => r.share), [0.75, 0.25]);
  assert.equal(viaPrometheus.shareSource, 'prometheus');
  assert.equal(viaPrometheus.cpuSource, undefined);
});

test('snapshot: requestsTotal from the operator comes first; CPU and memory from Prometheus when it has them, else from the operator\'s status', () => {
  const servers = [
    { name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 80, cpu: 0.15, memory: 0.5, requestsTotal: 100 },
    { name: 'replica2', address: '10.0.1.6', state: 'UP', weight: 80, cpu: 0.1, requestsTotal: 300 },
  ];
  assert.deepEqual([...operatorCounters(object(servers))!], [['replica1', 100], ['replica2', 300]]);
  assert.equal(operatorCounters(object([{ name: 'r', address: 'a', state: 'UP', weight: 1 }])), undefined);
  const s = buildTopSnapshot({
    object: object(servers), time: new Date(0), operatorRates: new Map([['replica1', 5], ['replica2', 15]]), haproxyRates: new Map([['replica1', 1]]),
    prometheus: { cpu: new Map([['10.0.1.5', 0.99]]), memory: new Map(), requestRate: new Map() },
  });
  assert.deepEqual(s.replicas.map((r) => [r.cpu, r.memory, r.share]), [[0.99, 0.5, 0.25], [0.1, undefined, 0.75]]);
  assert.deepEqual([s.cpuSource, s.shareSource], ['prometheus', 'operator']);
  const alone = buildTopSnapshot({ object: object(servers), time: new Date(0) });
  assert.deepEqual(alone.replicas.map((r) => [r.cpu, r.memory]), [[0.15, 0.5], [0.1, undefined]]);
  assert.equal(alone.cpuSource, 'operator');
});

test('CounterWindow: rates over the window, new keys and counter resets count from zero', () => {
  const w = new CounterWindow(3000);
  w.add({ timeMs: 0, counts: new Map([['a', 100], ['b', 50]]) });
  assert.equal(w.rates(), undefined);
  w.add({ timeMs: 1000, counts: new Map([['a', 110], ['b', 50]]) });
  assert.deepEqual([...w.rates()!], [['a', 10], ['b', 0]]);
  w.add({ timeMs: 2000, counts: new Map([['a', 130], ['b', 54], ['c', 6]]) });
  assert.deepEqual([...w.rates()!], [['a', 15], ['b', 2], ['c', 3]]);
  w.add({ timeMs: 4000, counts: new Map([['a', 150], ['b', 4], ['c', 6]]) });
  // Window 3 s: from t=1000 (a 110, b 50) to t=4000; b was reset (HAProxy reloaded).
  assert.deepEqual([...w.rates()!], [['a', 40 / 3], ['b', 4 / 3], ['c', 2]]);
});

test('parseHAProxyResponses sums the response classes of each server of one backend', () => {
  const text = [
    '# TYPE haproxy_server_http_responses_total counter',
    'haproxy_server_http_responses_total{proxy="hello-api",server="replica1",code="2xx"} 40',
    'haproxy_server_http_responses_total{proxy="hello-api",server="replica1",code="5xx"} 2',
    'haproxy_server_http_responses_total{proxy="hello-api",server="replica2",code="2xx"} 7',
    'haproxy_server_http_responses_total{proxy="web-api",server="replica1",code="2xx"} 1000',
    'haproxy_server_sessions_total{proxy="hello-api",server="replica1"} 999',
  ].join('\n');
  assert.deepEqual([...parseHAProxyResponses(text, 'hello-api')], [['replica1', 42], ['replica2', 7]]);
});

test('hostOf and defaultHAProxyMetricsUrl', () => {
  assert.deepEqual(['10.0.1.5:8080', '10.0.1.5', '[fd00::5]:8080', 'fd00::5'].map(hostOf), ['10.0.1.5', '10.0.1.5', 'fd00::5', 'fd00::5']);
  assert.equal(defaultHAProxyMetricsUrl('http://127.0.0.1:19464', { haproxy: { statsPort: 18404 } }), 'http://127.0.0.1:18404/metrics');
  assert.equal(defaultHAProxyMetricsUrl('http://swarm-1.example:9464', {}), 'http://swarm-1.example:8404/metrics');
});

/** `bso top ARGS` in process, not on a terminal: exit code, stdout lines, stderr lines. */
async function runTop(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext & { isTTY: boolean } = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), exitCode: 0, isTTY: false };
  const program = new Command('bso').exitOverride();
  registerTop(program, ctx);
  await program.parseAsync(['node', 'bso', 'top', ...args]);
  return { code: ctx.exitCode, out, err };
}

test('bso top without an operator: exit code 1 and the reason on stderr; a bad --interval is a usage error', async () => {
  const run = runTop;
  const unreachable = await run(['hello', '--operator', 'http://127.0.0.1:9']);
  assert.equal(unreachable.code, 1);
  assert.deepEqual(unreachable.out, []);
  assert.match(unreachable.err[0]!, /^bso top: the operator is not reachable at http:\/\/127\.0\.0\.1:9/);
  const bad = await run(['hello', '--interval', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.err[0]!, /--interval soon/);
});

test('outputMode: live and colored on a terminal; one plain snapshot when piped; NO_COLOR and --no-color turn colors off', () => {
  const mode = (tty: boolean, once: boolean, colorFlag: boolean, env: Record<string, string | undefined> = {}) => outputMode({ tty, once, colorFlag, env });
  assert.deepEqual(mode(true, false, true), { live: true, color: true });
  assert.deepEqual(mode(false, false, true), { live: false, color: false });
  assert.deepEqual(mode(true, true, true), { live: false, color: true });
  assert.deepEqual(mode(true, false, true, { NO_COLOR: '1' }), { live: true, color: false });
  assert.deepEqual(mode(true, false, true, { NO_COLOR: '' }), { live: true, color: true });
  assert.deepEqual(mode(true, false, false), { live: true, color: false });
});

test('docs/observability.md shows a frame exactly as bso top draws it', async () => {
  const { readFileSync } = await import('node:fs');
  const docs = readFileSync(new URL('../../docs/observability.md', import.meta.url), 'utf8');
  const frame = renderTopFrame(snapshot, { color: false, width: 120, intervalMs: 1000 }).join('\n');
  assert.ok(docs.includes(`\`\`\`\n${frame}\n\`\`\``), `docs/observability.md should contain:\n${frame}`);
});

test('bso top without a name shows every BalancedService the operator knows, one table each (a FAKE operator API)', async (t) => {
  const { createServer } = await import('node:http');
  const object = (name: string): ApiObject => ({
    apiVersion: 'bso.dev/v1alpha1', kind: 'BalancedService', metadata: { name, generation: 1, creationTimestamp: '' },
    spec: { replicas: 1, agent: { thresholds: { maint: 80, ready: 60 } }, haproxy: { statsPort: 8404 } },
    status: {
      observedGeneration: 1, replicas: 1, readyReplicas: 1,
      conditions: [{ type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: '', lastTransitionTime: '', observedGeneration: 1 }],
      servers: [{ name: 'replica1', address: '10.0.1.5', state: 'UP', weight: 100, requestsTotal: 10, task: `${name}-api.1` } as never],
    },
  });
  let items = [object('bravo'), object('alpha')];
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const one = /^\/v1\/balancedservices\/(\w+)$/.exec(req.url ?? '');
    if (req.url === '/v1/balancedservices') res.end(JSON.stringify({ items }));
    else if (one && items.some((o) => o.metadata.name === one[1])) res.end(JSON.stringify(items.find((o) => o.metadata.name === one[1])));
    else { res.statusCode = 404; res.end('{}'); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const operator = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const run = async (args: string[]) => {
    const r = await runTop(['--operator', operator, '--interval', '100ms', ...args]);
    return { ...r, out: r.out.join('\n') };
  };
  const all = await run([]);
  assert.equal(all.code, 0, all.err.join('\n'));
  assert.match(all.out, /^bso top alpha /m);
  assert.match(all.out, /^bso top bravo /m);
  assert.ok(all.out.indexOf('bso top alpha') < all.out.indexOf('bso top bravo'), 'sorted by name');
  assert.match(all.out, /^replica1 +alpha-api\.1 +10\.0\.1\.5 +UP /m, 'the task from the status');
  items = [];
  const none = await run([]);
  assert.deepEqual([none.code, none.out, none.err], [0, '', ['No BalancedServices found.']]);
});
