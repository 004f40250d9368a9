import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redecideAgentLoop, startAgentLoop, stepAgentLoop, type AgentLoopConfig, type AgentLoopState } from './agent-step.js';
import type { AgentState } from './decide-agent-reply.js';
import { CAPACITY_TUNING } from './capacity.js';

const CONFIG: AgentLoopConfig = {
  metric: 'cpu', smoothingMs: 1000, policy: { maintAt: 80, readyAt: 60, minMaintMs: 5000 },
  capacity: { referenceCores: undefined, concurrencyCap: 100, tuning: CAPACITY_TUNING },
};
const SAMPLE_MS = 250;

/** Simulates a container on one core: `cpuAt(t)` is its CPU share in [t, t + 250 ms). */
function simulate(durationMs: number, cpuAt: (t: number) => number, config = CONFIG) {
  let state: AgentLoopState = startAgentLoop(config, 0);
  let cpuSeconds = 100;
  const states: Array<{ t: number; state: AgentState; load: number }> = [];
  for (let t = 0; t <= durationMs; t += SAMPLE_MS) {
    state = stepAgentLoop(state, { atMs: t, cpuSeconds, cpuLimitCores: 1, memoryBytes: 10, memoryLimitBytes: 100 }, config, false);
    states.push({ t, state: state.decision.state, load: state.smoothed.load });
    cpuSeconds += (cpuAt(t) * SAMPLE_MS) / 1000;
  }
  return states;
}

const firstTime = (states: ReturnType<typeof simulate>, s: AgentState, after = -1) => states.find((x) => x.t > after && x.state === s)?.t;

test('stepAgentLoop: the first reading only sets the CPU baseline', () => {
  const s0 = startAgentLoop(CONFIG, 0);
  assert.equal(s0.decision.reply, 'ready 100% maxconn:4\n');
  const s1 = stepAgentLoop(s0, { atMs: 0, cpuSeconds: 5000, cpuLimitCores: 1, memoryBytes: 0, memoryLimitBytes: 1 }, CONFIG, false);
  assert.equal(s1.smoothed.cpu, 0);
  assert.equal(s1.decision.state, 'ready');
});

test('stepAgentLoop: one 250 ms spike to 100 % does not drain', () => {
  const states = simulate(5000, (t) => (t === 1000 ? 1 : 0.3));
  assert.equal(firstTime(states, 'maint'), undefined);
  const peak = Math.max(...states.map((s) => s.load));
  assert.ok(peak < 0.6, `peak smoothed load ${peak}`);
});

test('stepAgentLoop: two back-to-back spikes on a busy replica do not drain either', () => {
  const states = simulate(5000, (t) => (t === 2000 || t === 2250 ? 1 : 0.5));
  assert.equal(firstTime(states, 'maint'), undefined);
});

test('stepAgentLoop: sustained load drains within 2 s and stays drained while it lasts', () => {
  const states = simulate(30_000, (t) => (t >= 1000 && t < 20_000 ? 1 : 0.1));
  const enteredAt = firstTime(states, 'maint');
  assert.ok(enteredAt !== undefined && enteredAt - 1000 <= 2000, `maint after ${enteredAt}`);
  const during = states.filter((s) => s.t >= enteredAt && s.t <= 20_000);
  assert.ok(during.every((s) => s.state === 'maint'), 'left maint while the load lasted');
  const back = firstTime(states, 'ready', 20_000);
  assert.ok(back !== undefined && back - 20_000 <= 2000, `ready again after ${back}`);
});

test('stepAgentLoop: a load oscillating across both thresholds flips less thanks to the minimum time in maint', () => {
  // 2 s at 100 %, 2 s at 20 %, repeated: a replica chased by its own traffic.
  const oscillating = (t: number) => (Math.floor(t / 2000) % 2 === 0 ? 1 : 0.2);
  const flips = (config: AgentLoopConfig) => {
    const states = simulate(60_000, oscillating, config);
    const changes = states.filter((s, i) => i > 0 && s.state !== states[i - 1]!.state);
    const maintEpisodes = changes.filter((c) => c.state === 'ready').map((c, i) => c.t - changes.filter((x) => x.state === 'maint')[i]!.t);
    return { count: changes.length, shortestMaint: Math.min(...maintEpisodes) };
  };
  const withMinimum = flips(CONFIG);
  const without = flips({ ...CONFIG, policy: { ...CONFIG.policy, minMaintMs: 0 } });
  console.log(`flips per minute: ${withMinimum.count} with a 5 s minimum in maint, ${without.count} without`);
  assert.ok(withMinimum.shortestMaint >= CONFIG.policy.minMaintMs, `a maint episode lasted ${withMinimum.shortestMaint} ms`);
  assert.ok(withMinimum.count < without.count * 0.6, `${withMinimum.count} vs ${without.count}`);
});

test('stepAgentLoop: metric max follows memory when memory is the higher', () => {
  const config: AgentLoopConfig = { ...CONFIG, metric: 'max', smoothingMs: 0 };
  let state = startAgentLoop(config, 0);
  state = stepAgentLoop(state, { atMs: 0, cpuSeconds: 0, cpuLimitCores: 1, memoryBytes: 90, memoryLimitBytes: 100 }, config, false);
  state = stepAgentLoop(state, { atMs: 250, cpuSeconds: 0.05, cpuLimitCores: 1, memoryBytes: 90, memoryLimitBytes: 100 }, config, false);
  assert.ok(Math.abs(state.raw.cpu - 0.2) < 1e-9);
  assert.equal(state.raw.load, 0.9);
  assert.equal(state.decision.state, 'maint');
});

test('redecideAgentLoop: drain applies at once, without a new reading', () => {
  const state = redecideAgentLoop(startAgentLoop(CONFIG, 0), CONFIG, 10, true);
  assert.equal(state.decision.reply, 'drain\n');
});

test('proportional: a replica busy with its own requests stays ready at full weight; work it does not control sends it to maint', () => {
  const own = (share: number, foreign: number) => {
    let state = startAgentLoop(CONFIG, 0);
    let container = 0;
    let mine = 0;
    for (let t = 0; t <= 5000; t += 250) {
      state = stepAgentLoop(state, { atMs: t, cpuSeconds: container, ownCpuSeconds: mine, cpuLimitCores: 1, memoryBytes: 10, memoryLimitBytes: 100 }, CONFIG, false);
      container += (share + foreign) * 0.25;
      mine += share * 0.25;
    }
    return state;
  };
  const busy = own(0.95, 0);
  assert.deepEqual([busy.decision.state, busy.decision.weightPercent], ['ready', 100]);
  assert.ok(busy.smoothed.cpu > 0.9 && busy.smoothed.foreignCpu < 0.01);
  const crowded = own(0.05, 0.9);
  assert.equal(crowded.decision.state, 'maint');
  assert.ok(crowded.smoothed.load > 0.8, 'the pressure is the foreign CPU');
});

test('binary (the seed\'s agent): the whole container\'s CPU is the pressure, own work included', () => {
  const config: AgentLoopConfig = { ...CONFIG, policy: { ...CONFIG.policy, weighting: 'binary', minMaintMs: 0 }, smoothingMs: 0 };
  let state = startAgentLoop(config, 0);
  state = stepAgentLoop(state, { atMs: 0, cpuSeconds: 0, ownCpuSeconds: 0, cpuLimitCores: 1, memoryBytes: 10, memoryLimitBytes: 100 }, config, false);
  state = stepAgentLoop(state, { atMs: 1000, cpuSeconds: 0.95, ownCpuSeconds: 0.95, cpuLimitCores: 1, memoryBytes: 10, memoryLimitBytes: 100 }, config, false);
  assert.equal(state.decision.reply, 'maint #load=95\n');
});
