// Row 1: SIGKILL the operator right after each Docker write of a fresh create, start it again:
// it converges to the same end state as a fault-free run, with no duplicate and no orphan.
// The operator reaches Docker through a DockerApiProxy, which counts the writes and freezes the
// API the moment the k-th write's response was forwarded, so the kill lands exactly there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../e2e/support.js';
import { DockerApiProxy } from './docker-api-proxy.js';
import { recordFaultRow } from '../fault-table.js';
import { freePort, median, normalizedState, objectsOf, putSpec, removeOwnedObjects, seconds, startOperatorChild, waitForQuiet, type OperatorChild } from './harness.js';

const NAME = 'bsofop-kill';
const work = mkdtempSync(join(tmpdir(), 'bso-fault-kill-'));
const logFile = join(work, 'operator.log');

after(async () => {
  await removeOwnedObjects(NAME, true);
  console.log(`operator log: ${logFile}`);
});

function describeWrite(path: string): string {
  return path.replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '').replace(/\/[0-9a-z]{25,}/g, '/ID');
}

test('row 1: SIGKILL after every Docker write of a fresh create converges to the fault-free end state', { timeout: 290_000 }, async () => {
  const proxy = await new DockerApiProxy({
    freezeAfterWrite: (n) => n === killAt,
    onWrite: (n) => { if (n === killAt) operator?.child.kill('SIGKILL'); },
  }).listen();
  let killAt = 0;
  let operator: OperatorChild | undefined;
  const port = await freePort();
  const start = () => startOperatorChild({ port, dockerHost: proxy.dockerHost, logFile });
  let figure = 'not measured';
  let lost = 'not measured';
  let passed = false;
  let writes: string[];
  try {
    await removeOwnedObjects(NAME, true);
    await putSpec({ name: NAME, replicas: 2, appPort: await freePort(), statsPort: await freePort() });

    // The fault-free run: its writes and its end state.
    operator = start();
    await waitForQuiet(proxy, 5000);
    const reference = await normalizedState(NAME);
    writes = proxy.writeRequests().map((r) => `${r.method} ${describeWrite(r.path)}`);
    const n = proxy.writes;
    await operator.stop();
    assert.ok(n >= 4, `a fresh create wrote ${n} times: ${writes.join(', ')}`);
    assert.ok(reference.some((line) => line.startsWith(`service ${NAME}-api `)) && reference.some((line) => line.startsWith(`service ${NAME}-haproxy `)), reference.join('\n'));

    const convergeMs: number[] = [];
    let extraWrites = 0;
    for (let k = 1; k <= n; k++) {
      await removeOwnedObjects(NAME);
      proxy.writes = 0;
      killAt = k;
      operator = start();
      await Promise.race([operator.exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`the operator never reached write ${k}`)), 90_000))]);
      assert.equal(operator.child.signalCode, 'SIGKILL', `kill ${k}: the operator exited by itself`);
      killAt = 0;
      proxy.thaw();
      proxy.writes = 0;
      const restarted = Date.now();
      operator = start();
      let current: string[] = [];
      try {
        await waitFor(`kill ${k}: the restarted operator to converge`, 90_000, async () => {
          current = await normalizedState(NAME);
          return JSON.stringify(current) === JSON.stringify(reference);
        }, 250);
      } catch (error) {
        assert.deepEqual(current, reference, `kill after write ${k} (${writes[k - 1]}): ${(error as Error).message}`);
      }
      convergeMs.push(Date.now() - restarted);
      // Settled: a little later it is still the same state, with each name once.
      await new Promise((r) => setTimeout(r, 2000));
      const objects = await objectsOf(NAME);
      const names = objects.map((o) => `${o.kind}/${o.name}`);
      assert.deepEqual(names.filter((x, i) => names.indexOf(x) !== i), [], `kill ${k}: duplicates`);
      assert.deepEqual(await normalizedState(NAME), reference, `kill ${k}: the state moved after converging`);
      extraWrites += proxy.writes - (n - k);
      assert.equal(proxy.writes, n - k, `kill ${k}: the restarted operator wrote ${proxy.writes} times, ${n - k} were missing`);
      await operator.stop();
    }
    figure = `${n} kills (after ${writes.join('; ')}): converged after each restart in median ${seconds(median(convergeMs))}, max ${seconds(Math.max(...convergeMs))} (from spawning the operator); each restart wrote only what was missing (${extraWrites} extra writes in all)`;
    lost = `0 duplicates, 0 orphans; end state equal to the fault-free run's in ${n}/${n} runs`;
    passed = true;
  } finally {
    recordFaultRow({ row: '1', fault: `SIGKILL the operator after each Docker write of a fresh create (BalancedService, 2 replicas), restart`, figure, lost, passed });
    await operator?.stop();
    await proxy.close();
  }
});
