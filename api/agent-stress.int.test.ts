// The seed's demo without Docker: bso-api and stress-ng in one real cgroup with a CPU quota
// (what a container is to the kernel), bso-api's defaults. The agent must drain the replica,
// keep it drained while the stress lasts, bring it back afterwards, and the app keeps answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRealCgroup } from '../bench/lib/loopback/real-cgroup.js';
import { askAgent, percentile, spawnApi } from '../bench/lib/loopback/spawn-api.js';

const STRESS_SECONDS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('stress-ng in the same cgroup drains the replica and keeps it drained while it lasts', { timeout: 120_000 }, async (t) => {
  if (spawnSync('stress-ng', ['--version']).error) return t.skip('stress-ng is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'bso-agent-stress-'));
  const cgroup = createRealCgroup(`bso-test-${process.pid}`, join(dir, 'view'), { cpus: 0.5, memoryBytes: 512 * 2 ** 20 });
  if (typeof cgroup === 'string') {
    rmSync(dir, { recursive: true, force: true });
    return t.skip(cgroup);
  }
  const api = await spawnApi({ BSO_CGROUP_ROOT: cgroup.view });
  cgroup.add(api.child.pid!);
  const stress = { child: undefined as ReturnType<typeof spawn> | undefined };
  t.after(async () => {
    stress.child?.kill('SIGKILL');
    await api.kill();
    await cgroup.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${api.httpPort}`;

  await sleep(2000);
  const idle = await askAgent(api.agentPort);
  assert.match(idle.line, /^ready \d+%( maxconn:\d+)?\n$/, 'not ready before the stress');

  const started = Date.now();
  const moveIn = cgroup.procs.map((f) => `echo $$ > ${f}`).join('; ');
  stress.child = spawn('sh', ['-c', `${moveIn}; exec stress-ng --cpu 2 --vm 1 --vm-bytes 64M --timeout ${STRESS_SECONDS}s --quiet`], { stdio: 'ignore' });
  let stressEnded = 0;
  stress.child.once('exit', () => (stressEnded = Date.now()));

  const timeline: Array<{ t: number; state: string; ms: number }> = [];
  const http: number[] = [];
  let nextHttp = 0;
  while (!stressEnded || Date.now() - stressEnded < 12_000) {
    const { line, ms } = await askAgent(api.agentPort);
    timeline.push({ t: Date.now() - started, state: line.trim().split(' ')[0]!, ms });
    if (Date.now() >= nextHttp) {
      const t0 = performance.now();
      const response = await fetch(`${base}/`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      http.push(performance.now() - t0);
      nextHttp = Date.now() + 500;
    }
    if (stressEnded && timeline.at(-1)!.state === 'ready' && Date.now() - stressEnded > 1000) break;
    await sleep(100);
  }
  const stressEndT = stressEnded - started;
  const firstMaint = timeline.find((p) => p.state === 'maint')?.t;
  const during = timeline.filter((p) => firstMaint !== undefined && p.t >= firstMaint && p.t < stressEndT);
  const readyAgain = timeline.find((p) => p.t >= stressEndT && p.state === 'ready')?.t;
  const agentMs = timeline.filter((p) => p.t < stressEndT).map((p) => p.ms);
  console.log(
    `cgroup v${cgroup.version}, 0.5 CPU quota, stress-ng for ${STRESS_SECONDS}s (ended at ${stressEndT} ms): ` +
      `maint after ${firstMaint} ms, ${during.filter((p) => p.state === 'maint').length}/${during.length} replies maint while it lasted, ` +
      `ready again ${readyAgain === undefined ? 'never' : `${readyAgain - stressEndT} ms after it ended`}\n` +
      `during the stress: agent reply p50 ${percentile(agentMs, 50).toFixed(1)} ms, p99 ${percentile(agentMs, 99).toFixed(1)} ms; ` +
      `GET / p50 ${percentile(http, 50).toFixed(1)} ms, max ${Math.max(...http).toFixed(1)} ms`,
  );
  assert.ok(firstMaint !== undefined && firstMaint < 4000, `maint after ${firstMaint} ms`);
  assert.ok(during.length > 0 && during.every((p) => p.state === 'maint'), 'left maint while the stress lasted');
  assert.ok(readyAgain !== undefined, 'not ready again after the stress');
});
