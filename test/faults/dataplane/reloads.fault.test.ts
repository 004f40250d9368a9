// fault-suite: long (about 1-3 minutes; every run includes it but `BSO_SKIP_LONG_FAULTS=1 npm run test:all`)
// Row 9: 100 reloads with 200 long-lived, mostly idle client connections through HAProxy. The real
// supervisor and a real HAProxy (test/haproxy's fixture: config pulled from the endpoint,
// replicas through DNS); every config differs in a way that needs a reload. Tracks old workers
// (`show proc`, sampled every 100 ms), the file descriptors and RSS of the master and the workers
// (/proc) and what happens to the idle connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from '../../../bench/lib/loopback/haproxy-fixture.js';
import { IdleClients } from './idle-clients.js';
import { footprintOf, mib, type ProcessFootprint } from './procfs.js';
import { formatCount, recordFaultRow } from '../fault-table.js';

const RELOADS = 100;
/** The rendered `timeout http-keep-alive`: min(timeouts.client, 10 s) (haproxy/render/build-model.ts). */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
const CONNECTIONS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample { reload: number; master: ProcessFootprint; worker: ProcessFootprint; oldWorkers: number; oldFds: number; open: number }

test('9. 100 reloads with 200 idle long-lived connections: old workers bounded, fds and memory stable', { timeout: 300_000 }, async (t) => {
  let passed = false;
  let figure = 'not measured';
  let lost = 'not measured';
  const f = await Fixture.start({ replicaServers: 2, replicas: 2, minReloadIntervalMs: 200 });
  let clients: IdleClients | undefined;
  let watching = true;
  try {
    const first = await f.outcomeOf(f.servedHash!, 20_000, 0);
    assert.equal(first.outcome, 'reload');
    await f.waitForServers((s) => s.filter((x) => x.state === 'UP').length === 2, 'both replicas UP');

    clients = new IdleClients({ host: '127.0.0.1', port: f.frontendPort, count: CONNECTIONS, pauseMs: [2000, 6000] });
    await sleep(1500);
    assert.equal(clients.stats.open, CONNECTIONS, 'all idle connections open');

    // Old workers, sampled while the reloads run.
    let maxOld = 0;
    const oldSeries: number[] = [];
    const watcher = (async () => {
      while (watching) {
        try {
          const old = (await f.showProc()).oldWorkers.length;
          maxOld = Math.max(maxOld, old);
          oldSeries.push(old);
        } catch {
          // the master is re-executing
        }
        await sleep(100);
      }
    })();

    const samples: Sample[] = [];
    const sample = async (reload: number) => {
      const proc = await f.showProc();
      const master = footprintOf(proc.master.pid)!;
      const worker = footprintOf(proc.workers[0]!.pid)!;
      const oldFds = proc.oldWorkers.reduce((sum, w) => sum + (footprintOf(w.pid)?.fds ?? 0), 0);
      samples.push({ reload, master, worker, oldWorkers: proc.oldWorkers.length, oldFds, open: clients!.stats.open });
    };
    await sample(0);
    const reloadTimes: number[] = [];
    const outcomes: string[] = [];
    const started = Date.now();
    for (let i = 1; i <= RELOADS; i++) {
      const spec = structuredClone(f.spec);
      spec.spec.haproxy.timeouts.queue = `${5000 + i}ms`;
      const at = Date.now();
      const result = await f.outcomeOf(f.serve(spec));
      outcomes.push(result.outcome);
      reloadTimes.push(at);
      if (i % 10 === 0) await sample(i);
    }
    const elapsedS = (Date.now() - started) / 1000;
    // Let the last old workers go and the clients reconnect. With `option idle-close-on-response`
    // an old worker keeps an idle connection until its next request (answered with
    // Connection: close) or `timeout http-keep-alive` (10 s here), so it may take that long.
    const drainStarted = Date.now();
    while (Date.now() - drainStarted < KEEP_ALIVE_TIMEOUT_MS + 3000) {
      if ((await f.showProc()).oldWorkers.length === 0) break;
      await sleep(200);
    }
    const drainedS = (Date.now() - drainStarted) / 1000;
    await sleep(1000);
    await sample(RELOADS + 1);
    watching = false;
    await watcher;
    const proc = await f.showProc();
    const stats = { ...clients.stats };

    for (const s of samples) {
      t.diagnostic(`after ${s.reload === RELOADS + 1 ? `${RELOADS} reloads + the old workers' exit` : `${s.reload} reloads`}: master ${s.master.fds} fds ${mib(s.master.rssKiB)} MiB; worker ${s.worker.fds} fds ${mib(s.worker.rssKiB)} MiB; ` +
        `${s.oldWorkers} old workers (${s.oldFds} fds); ${s.open} client connections open`);
    }
    // When did the idle connections close, relative to the reload before them?
    const delays = stats.idleCloseTimes.map((c) => c - Math.max(...reloadTimes.filter((r) => r <= c), 0)).sort((a, b) => a - b);
    const median = delays[Math.floor(delays.length / 2)] ?? 0;
    const base = samples[0]!;
    const last = samples.at(-1)!;
    const reloads = outcomes.filter((o) => o === 'reload').length;
    figure = `${reloads} reloads in ${elapsedS.toFixed(0)} s (master generation ${proc.master.reloads}); old workers at most ${maxOld}, the last gone ${drainedS.toFixed(1)} s after the last reload (${proc.oldWorkers.length} left); ` +
      `master ${base.master.fds} -> ${last.master.fds} fds, ${mib(base.master.rssKiB)} -> ${mib(last.master.rssKiB)} MiB; ` +
      `worker ${base.worker.fds} -> ${last.worker.fds} fds, ${mib(base.worker.rssKiB)} -> ${mib(last.worker.rssKiB)} MiB`;
    lost = `${formatCount(stats.idleCloses)} idle connections closed by the old workers (median ${median} ms after the reload; clients reconnected, ${last.open} of ${CONNECTIONS} open at the end); ` +
      `${stats.failedRequests} of ${formatCount(stats.requests)} requests failed (sent as the idle connection closed)`;
    t.diagnostic(figure);
    t.diagnostic(lost);

    assert.equal(reloads, RELOADS, `every config reloaded: ${outcomes.filter((o) => o !== 'reload').join(', ')}`);
    assert.equal(proc.master.failed, 0);
    assert.ok(maxOld <= 4, `old workers bounded by the supervisor's maxOldWorkers (4): at most ${maxOld}`);
    assert.equal(proc.oldWorkers.length, 0, `no old worker left ${KEEP_ALIVE_TIMEOUT_MS / 1000 + 3} s after the last reload`);
    assert.ok(last.master.fds <= base.master.fds + 5, `master fds grew: ${base.master.fds} -> ${last.master.fds}`);
    assert.ok(last.master.rssKiB <= base.master.rssKiB * 1.5 + 8 * 1024, `master RSS grew: ${base.master.rssKiB} -> ${last.master.rssKiB} KiB`);
    assert.ok(last.worker.fds <= base.worker.fds + 20, `worker fds grew: ${base.worker.fds} -> ${last.worker.fds}`);
    assert.ok(last.worker.rssKiB <= base.worker.rssKiB * 1.5 + 8 * 1024, `worker RSS grew: ${base.worker.rssKiB} -> ${last.worker.rssKiB} KiB`);
    assert.equal(last.open, CONNECTIONS, 'every client is connected again');
    // With idle-close-on-response an old worker answers an idle connection's next request and then
    // closes it; a request can still meet a connection closed at `timeout http-keep-alive`: at most
    // one per closed connection.
    assert.ok(stats.failedRequests <= stats.idleCloses, `failed requests ${stats.failedRequests}`);
    passed = true;
  } finally {
    watching = false;
    clients?.stop();
    await f.close();
    recordFaultRow({ row: '9', fault: `${RELOADS} reloads (real supervisor + HAProxy 2.6) with ${CONNECTIONS} idle keep-alive client connections`, figure, lost, passed });
  }
});
