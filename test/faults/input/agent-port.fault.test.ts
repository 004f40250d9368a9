// Issue #8 row 13, the agent port of a real bso-api (fake cgroup, so its true state is fixed):
// garbage bytes, oversized lines, slow-loris and silent clients, half-open sockets and resets,
// then 10,000 concurrent connections from a child process with a raised open-file limit. A
// control client asks the agent throughout, like HAProxy. Afterwards the replica still serves,
// the agent still answers what a clean client saw before, and no reply ever differed from the
// control's: nothing the agent reads changes what it reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeCgroup } from '../../api/fake-cgroup.js';
import { askAgent, percentile, spawnApi } from '../../../bench/lib/loopback/spawn-api.js';
import { formatCount, recordFaultRow } from '../fault-table.js';
import type { FloodResult } from './agent-flood.js';

const FLOOD = Number(process.env.BSO_AGENT_FLOOD ?? 10_000);
const FLOOD_SCRIPT = fileURLToPath(new URL('./agent-flood.ts', import.meta.url));
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

function fdLimitOf(pid: number | 'self'): string {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return line?.split(/\s{2,}/)[1] ?? 'unknown';
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Connects, sends `payload` (in one write or dripped), and resolves with what the agent said before it closed. */
function exchange(port: number, payload: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(payload, () => undefined));
    socket.on('data', (chunk: string) => (data += chunk));
    // The agent closes while we may still be writing: a reset after its reply is expected.
    socket.on('error', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.setTimeout(15_000, () => socket.destroy());
  });
}

/** Runs the flood in a child process with the highest open-file limit the shell may set. */
function flood(port: number, count: number): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const script = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
    const child = spawn('/bin/sh', ['-c', script, 'sh', process.execPath, '--import', 'tsx', FLOOD_SCRIPT, String(port), String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as FloodResult);
      } catch {
        reject(new Error(`the flood client exited ${code}: ${err.slice(0, 2000)}`));
      }
    });
  });
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return Number(line?.split(' ').pop());
}

/** The metric once it equals `want`, or its last value after `withinMs`. */
async function settledMetric(base: string, name: string, want: number, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await metric(base, name);
    if (value === want || Date.now() > deadline) return value;
    await sleep(100);
  }
}

test(`the agent port under garbage, oversized lines, slow, silent and half-open clients and ${formatCount(FLOOD)} concurrent connections`, { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bso-fault-agent-'));
  const cgroup = new FakeCgroup(dir, { version: 2, cpus: 1 });
  const api = await spawnApi({ BSO_CGROUP_ROOT: cgroup.root });
  const hostile: Socket[] = [];
  t.after(async () => {
    for (const s of hostile) s.destroy();
    await api.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = api.agentPort;
  const base = `http://127.0.0.1:${api.httpPort}`;
  const pid = api.child.pid!;
  const control = (await askAgent(port)).line;
  const before = memoryOf(pid);
  const tally = { tried: 0, replies: 0, unanswered: 0, different: [] as string[] };
  const count = (replies: string[], what: string) => {
    tally.tried += replies.length;
    for (const reply of replies) {
      if (reply === '') tally.unanswered++;
      else tally.replies++;
      if (reply !== '' && reply !== control) tally.different.push(`${what}: ${JSON.stringify(reply.slice(0, 40))}`);
    }
  };

  // The control client: asks like HAProxy every 20 ms for the whole attack.
  const controlReplies: Array<{ line: string; ms: number }> = [];
  const controlErrors: string[] = [];
  let attacking = true;
  const controlLoop = (async () => {
    while (attacking) {
      try {
        controlReplies.push(await askAgent(port, 10_000));
      } catch (error) {
        controlErrors.push((error as Error).message);
      }
      await sleep(20);
    }
  })();

  let floodResult: FloodResult | undefined;
  let after = before;
  let passed = false;
  let failure = '';
  try {
    // Resets, right after connecting.
    for (let i = 0; i < 200; i++) {
      const s = await open(port);
      s.on('error', () => undefined);
      s.resetAndDestroy();
    }
    tally.tried += 200;

    // Silent clients that never read nor close, half-open ones that send FIN at once, slow-loris ones dripping a byte.
    const silent = await Promise.all(Array.from({ length: 200 }, () => open(port)));
    for (const s of silent) { s.on('error', () => undefined); s.pause(); }
    const halfOpen = await Promise.all(Array.from({ length: 200 }, () => open(port)));
    for (const s of halfOpen) { s.on('error', () => undefined); s.end(); }
    const slow = await Promise.all(Array.from({ length: 200 }, () => open(port)));
    for (const s of slow) s.on('error', () => undefined);
    const drip = setInterval(() => { for (const s of slow) if (!s.destroyed) s.write('m'); }, 100);
    hostile.push(...silent, ...halfOpen, ...slow);
    tally.tried += 600;

    // Garbage and oversized lines, with replies collected; among them what an attacker would say to change the reply.
    const garbage: Array<Buffer | string> = [
      randomBytes(64), randomBytes(64 * 1024), Buffer.from([0, 0xff, 0xfe, 0x0d, 0x0a, 0x00]), '\r\n'.repeat(10_000),
      'maint\n', 'drain\n', 'down\n', 'ready 0%\n', 'stopped\n', 'up 1%\n', '50%\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0000'.repeat(4096), 'é'.repeat(10_000), `${'x'.repeat(MiB)}\n`, 'y'.repeat(4 * MiB),
    ];
    const garbageReplies = await Promise.all(Array.from({ length: 400 }, (_, i) => exchange(port, garbage[i % garbage.length]!)));
    count(garbageReplies, 'garbage');

    // The flood, while the silent, half-open and slow clients still hang on.
    floodResult = await flood(port, FLOOD);
    tally.tried += floodResult.tried;
    for (const [reply, n] of Object.entries(floodResult.replies)) {
      tally.replies += n;
      if (reply !== control) tally.different.push(`flood: ${n} x ${JSON.stringify(reply.slice(0, 40))}`);
    }
    tally.unanswered += Object.values(floodResult.errors).reduce((a, b) => a + b, 0);

    // The agent's 2 s deadline closes what the peers never closed.
    await sleep(2500);
    clearInterval(drip);
    attacking = false;
    await controlLoop;

    after = memoryOf(pid);
    assert.equal(api.child.exitCode, null, 'bso-api died');
    assert.deepEqual(tally.different, [], 'a hostile peer got a reply other than the control client\'s');
    assert.deepEqual([...new Set(controlReplies.map((r) => r.line))], [control], 'the control client saw the reply change during the attack');
    assert.deepEqual(controlErrors, [], 'the control client got no answer');
    // The gauge comes from the agent's snapshot, sent after each sample (every 250 ms): it may
    // still count the control client's last socket for one sample.
    assert.equal(await settledMetric(base, 'bso_agent_open_connections', 0, 1000), 0, 'agent sockets still open after the deadline');
    // (A silent client never reads, so it never sees the agent's close: the open-connection count above is the check for it.)
    assert.ok(slow.every((s) => s.destroyed), 'a slow client was not cut off');
    assert.equal((await askAgent(port)).line, control, 'the agent answers differently after the attack');
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the API does not serve after the attack');
    assert.equal(await metric(base, 'bso_agent_restarts_total'), 0, 'the agent thread died and was restarted');
    assert.equal(Object.values(floodResult.replies).reduce((a, b) => a + b, 0), floodResult.tried, `flood connections without a reply: ${JSON.stringify(floodResult.errors)}`);
    passed = true;
  } catch (error) {
    failure = (error as Error).message.split('\n')[0]!;
    throw error;
  } finally {
    attacking = false;
    const ms = controlReplies.map((r) => r.ms);
    const p99 = ms.length ? percentile(ms, 99).toFixed(1) : '-';
    recordFaultRow({
      row: '13',
      fault: `agent port of a real bso-api: 200 resets, 200 silent, 200 half-open and 200 slow-loris clients, 400 garbage senders (random bytes, 1 MiB and 4 MiB lines, NULs, "maint"/"drain"/"ready 0%"), then ${formatCount(FLOOD)} concurrent connections (client fd limit ${floodResult?.fdLimit ?? '?'}, replica ${fdLimitOf(pid)})`,
      figure: `${formatCount(tally.tried)} connections tried, ${formatCount(tally.replies)} replies received (resets and held sockets read none), all ${JSON.stringify(control.trim())} like the control client's; flood answered in ${floodResult ? (floodResult.ms / 1000).toFixed(1) : '-'} s; control client p99 ${p99} ms over ${ms.length} asks during the attack (max ${ms.length ? Math.max(...ms).toFixed(1) : '-'} ms); replica RSS ${before.rss.toFixed(0)} MiB before, ${after.rss.toFixed(0)} MiB after (peak ${after.peak.toFixed(0)} MiB)`,
      lost: tally.different.length + controlErrors.length === 0 && passed ? '-' : `${tally.different.length} replies differed, ${controlErrors.length} control asks failed${passed ? '' : `; ${failure}`}`,
      passed,
    });
  }
});
