// The capacity estimate, pinned with time as data: what the weight and the concurrency become
// for foreign CPU, a bigger container, slower service and no traffic at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPACITY_TUNING, startCapacity, stepCapacity, type CapacityConfig, type CapacitySample, type CapacityState } from './capacity.js';
import { SERVICE_TIME_BUCKETS, serviceTimeBucket, type RequestWindow } from './service-time.js';

const CONFIG: CapacityConfig = { referenceCores: 0.25, concurrencyCap: 100, tuning: CAPACITY_TUNING };
const STEP_MS = 250;

/** `count` requests that each took `ms`, in one sample. */
function requests(count: number, ms: number, inFlight = 0): RequestWindow {
  const buckets = new Array<number>(SERVICE_TIME_BUCKETS).fill(0);
  if (count > 0) buckets[serviceTimeBucket(ms * 1000)] = count;
  return { completed: count, buckets, totalUs: count * ms * 1000, inFlight };
}

interface Phase { ms: number; containerCpu: number; ownCpu: number; rps?: number; serviceMs?: number; limitCores?: number }

/** Runs phases of 250 ms samples; returns the state after each sample with its time. */
function run(phases: Phase[], config = CONFIG, start: CapacityState = startCapacity(config)): Array<{ t: number; s: CapacityState }> {
  let state = start;
  let t = 0;
  const out: Array<{ t: number; s: CapacityState }> = [];
  for (const p of phases) {
    for (let elapsed = 0; elapsed < p.ms; elapsed += STEP_MS) {
      t += STEP_MS;
      const count = Math.round(((p.rps ?? 0) * STEP_MS) / 1000);
      const sample: CapacitySample = { elapsedMs: STEP_MS, containerCpu: p.containerCpu, ownCpu: p.ownCpu, limitCores: p.limitCores ?? 0.25, requests: requests(count, p.serviceMs ?? 2.5) };
      state = stepCapacity(state, sample, config);
      out.push({ t, s: state });
    }
  }
  return out;
}
const last = <T>(xs: T[]) => xs[xs.length - 1]!;

test('a spec-sized replica with nothing else running: weight 100 %, whatever its own traffic costs', () => {
  assert.equal(last(run([{ ms: 3000, containerCpu: 0, ownCpu: 0 }])).s.weightPercent, 100);
  assert.equal(last(run([{ ms: 3000, containerCpu: 0.95, ownCpu: 0.95, rps: 90, serviceMs: 2.5 }])).s.weightPercent, 100);
});

test('foreign CPU lowers the weight more than its share: half the CPU taken -> (1/2)^6, about 2 %; a tenth -> about 53 %', () => {
  const states = run([{ ms: 3000, containerCpu: 0.7, ownCpu: 0.2 }]);
  assert.ok(Math.abs(last(states).s.weightPercent - 2) <= 1, `${last(states).s.weightPercent}`);
  assert.ok(Math.abs(last(run([{ ms: 3000, containerCpu: 0.3, ownCpu: 0.2 }])).s.weightPercent - 53) <= 1);
  assert.ok(Math.abs(last(states).s.capacity - 0.5) < 0.01, 'capacity itself is the share left');
});

test('a replica with twice the spec\'s CPUs reports about 200 %; capped at HAProxy\'s 256', () => {
  assert.equal(last(run([{ ms: 2000, containerCpu: 0, ownCpu: 0, limitCores: 0.5 }])).s.weightPercent, 200);
  assert.equal(last(run([{ ms: 2000, containerCpu: 0, ownCpu: 0, limitCores: 4 }])).s.weightPercent, 256);
  assert.equal(last(run([{ ms: 2000, containerCpu: 0, ownCpu: 0, limitCores: 0.5 }], { ...CONFIG, referenceCores: undefined })).s.weightPercent, 100, 'without a reference a replica is its own');
});

test('a neighbour taking all the CPU is shed within 500 ms, and full weight is back within 1 s of it stopping', () => {
  const states = run([{ ms: 2000, containerCpu: 0.1, ownCpu: 0.1 }, { ms: 3000, containerCpu: 1, ownCpu: 0.02 }, { ms: 3000, containerCpu: 0.1, ownCpu: 0.1 }]);
  const shed = states.find((x) => x.t > 2000 && x.s.weightPercent <= 5)!;
  assert.ok(shed.t - 2000 <= 500, `weight <= 5 % after ${shed.t - 2000} ms`);
  const back = states.find((x) => x.t > 5000 && x.s.weightPercent >= 90)!;
  assert.ok(back.t - 5000 <= 1000, `weight >= 90 % after ${back.t - 5000} ms`);
});

test('service time within twice the baseline, or the baseline + 5 ms, leaves the weight alone', () => {
  const states = run([{ ms: 5000, containerCpu: 0.1, ownCpu: 0.1, rps: 40, serviceMs: 2 }, { ms: 5000, containerCpu: 0.1, ownCpu: 0.1, rps: 40, serviceMs: 3.5 }]);
  assert.ok(states.every((x) => x.s.weightPercent === 100), 'the weight moved');
});

test('a replica slower than its allowance and not busy: (max(2 x baseline, baseline + 5 ms) / recent)^3, steeply lower', () => {
  const states = run([{ ms: 5000, containerCpu: 0.02, ownCpu: 0.02, rps: 40, serviceMs: 2 }, { ms: 5000, containerCpu: 0.02, ownCpu: 0.02, rps: 40, serviceMs: 40 }]);
  assert.equal(states.find((x) => x.t === 5000)!.s.weightPercent, 100);
  const after = last(states).s;
  assert.ok(after.ownSmoothed < 0.2, 'not busy');
  const allowed = Math.max(2 * after.baselineUs!, after.baselineUs! + 5000);
  assert.ok(Math.abs(after.latencyFactor - (allowed / after.recentUs!) ** 3) < 1e-9);
  assert.ok(after.weightPercent <= 8, `weight ${after.weightPercent}`);
});

test('slow because busy with its own requests is queueing, not a fault: the latency term fades with the replica\'s own CPU', () => {
  const slowIdle = last(run([{ ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 2 }, { ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 30 }])).s;
  const slowBusy = last(run([{ ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 2 }, { ms: 5000, containerCpu: 0.95, ownCpu: 0.95, rps: 40, serviceMs: 30 }])).s;
  assert.ok(slowBusy.weightPercent >= 85, `busy replica weight ${slowBusy.weightPercent}`);
  assert.ok(slowIdle.weightPercent <= 15, `idle slow replica weight ${slowIdle.weightPercent}`);
});

test('after a burst that kept it busy, the replica is not judged slow for the queueing it did: full weight as its CPU falls', () => {
  // Saturated by its own requests (a load test straight at the replica: 200 ms each, all queueing),
  // then ordinary traffic again at its baseline service time.
  const states = run([
    { ms: 5000, containerCpu: 0.1, ownCpu: 0.1, rps: 40, serviceMs: 2 },
    { ms: 4000, containerCpu: 1, ownCpu: 1, rps: 100, serviceMs: 200 },
    { ms: 6000, containerCpu: 0.1, ownCpu: 0.1, rps: 40, serviceMs: 2 },
  ]);
  const lowest = Math.min(...states.filter((x) => x.t > 9000).map((x) => x.s.weightPercent));
  assert.ok(lowest >= 90, `weight fell to ${lowest} after the burst`);
});

test('the baseline rises only slowly: a replica that stays slow is back near full weight after minutes, not seconds', () => {
  const states = run([{ ms: 5000, containerCpu: 0.02, ownCpu: 0.02, rps: 40, serviceMs: 2 }, { ms: 300_000, containerCpu: 0.02, ownCpu: 0.02, rps: 40, serviceMs: 30 }]);
  const at = (t: number) => states.find((x) => x.t >= t)!.s.weightPercent;
  assert.ok(at(15_000) < 10, `weight ${at(15_000)} 10 s after`);
  assert.ok(at(305_000) >= 95, `weight ${at(305_000)} 5 min after`);
});

test('without any request and without a neighbour the latency estimate relaxes within minutes: a replica nobody uses is not judged slow forever', () => {
  const states = run([
    { ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 2 },
    { ms: 4000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 20 },
    { ms: 150_000, containerCpu: 0, ownCpu: 0 },
  ]);
  const at = (t: number) => states.find((x) => x.t >= t)!.s.weightPercent;
  assert.ok(at(9000) < 10);
  assert.ok(at(19_000) < 10, `weight ${at(19_000)} after 10 s without requests: a replica HAProxy avoids is not trusted again at once`);
  assert.ok(last(states).s.weightPercent >= 95, `weight ${last(states).s.weightPercent} after 150 s without requests`);
});

test('a replica that still gets a request now and then is judged by those requests: slow ones keep it low', () => {
  const states = run([
    { ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 2 },
    { ms: 60_000, containerCpu: 0.05, ownCpu: 0.05, rps: 4, serviceMs: 25 },
  ]);
  assert.ok(last(states).s.weightPercent <= 5, `${last(states).s.weightPercent}`);
});

test('while a neighbour still takes CPU, no traffic is no news: the last latency estimate stands', () => {
  const states = run([
    { ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 2 },
    { ms: 4000, containerCpu: 0.5, ownCpu: 0.05, rps: 40, serviceMs: 20 },
    { ms: 6000, containerCpu: 0.45, ownCpu: 0 },
  ]);
  assert.equal(last(states).s.recentUs, states.find((x) => x.t === 9000)!.s.recentUs);
});

test('when the neighbour leaves, the stalls it caused are forgotten at once', () => {
  const states = run([
    { ms: 5000, containerCpu: 0.05, ownCpu: 0.05, rps: 40, serviceMs: 2 },
    { ms: 4000, containerCpu: 0.9, ownCpu: 0.05, rps: 40, serviceMs: 40 },
    { ms: 1000, containerCpu: 0.05, ownCpu: 0.05 },
  ]);
  const during = states.find((x) => x.t === 9000)!.s;
  assert.ok(during.latencyFactor < 0.5 && during.weightPercent <= 1, `latency factor ${during.latencyFactor}, weight ${during.weightPercent} with the neighbour`);
  assert.equal(last(states).s.latencyFactor, 1);
  assert.ok(last(states).s.weightPercent >= 90, `${last(states).s.weightPercent}`);
});

test('concurrency: requests it serves per second x (service time + 10 ms), at least 2, at most the cap; 0 when there is no cap', () => {
  // 2.5 ms of CPU per request on 0.25 CPU: 100 req/s x (2.5 + 10) ms -> 1.25: the floor, 2.
  const cpuBound = last(run([{ ms: 4000, containerCpu: 0.5, ownCpu: 0.5, rps: 50, serviceMs: 2.5 }])).s;
  assert.equal(cpuBound.concurrency, 2);
  // The same CPU per request, but 50 ms of waiting each (a slow dependency): 100 x (52.5 + 10) ms -> 7.
  const ioBound = last(run([{ ms: 4000, containerCpu: 0.5, ownCpu: 0.5, rps: 50, serviceMs: 52.5 }])).s;
  assert.ok(ioBound.concurrency >= 6 && ioBound.concurrency <= 8, `${ioBound.concurrency}`);
  assert.equal(last(run([{ ms: 4000, containerCpu: 0.5, ownCpu: 0.5, rps: 50, serviceMs: 52.5 }], { ...CONFIG, concurrencyCap: 5 })).s.concurrency, 5);
  assert.equal(last(run([{ ms: 4000, containerCpu: 0.5, ownCpu: 0.5, rps: 50 }], { ...CONFIG, concurrencyCap: 0 })).s.concurrency, 0);
  assert.equal(startCapacity(CONFIG).concurrency, 4, 'before any measurement: twice the floor');
});

test('concurrency does not grow with the queue inside an overloaded replica: its queueing is not service time', () => {
  // CPU-bound, 2.5 ms of CPU each (0.25 CPU: 100 req/s). Offered more than it can take, its
  // requests wait in its event loop and take 80 ms each; the limit stays near what it was.
  const states = run([
    { ms: 5000, containerCpu: 0.5, ownCpu: 0.5, rps: 50, serviceMs: 2.5 },
    { ms: 10_000, containerCpu: 1, ownCpu: 1, rps: 100, serviceMs: 80 },
  ]);
  const before = states.find((x) => x.t === 5000)!.s.concurrency;
  const overloaded = last(states).s.concurrency;
  assert.ok(overloaded <= before + 1, `concurrency ${before} -> ${overloaded} under overload`);
});

test('a trickle of requests with the odd slow one does not swing the weight (short windows use their median)', () => {
  let state = startCapacity(CONFIG);
  const weights: number[] = [];
  for (let t = 1; t <= 240; t++) {
    // 1 request per second, 0.5 ms each, every 7th 6 ms (GC, a cold cache).
    const ms = t % 7 === 0 ? 6 : 0.5;
    for (let q = 0; q < 4; q++) {
      state = stepCapacity(state, { elapsedMs: STEP_MS, containerCpu: 0.02, ownCpu: 0.02, limitCores: 0.25, requests: requests(q === 0 ? 1 : 0, ms) }, CONFIG);
      weights.push(state.weightPercent);
    }
  }
  assert.ok(Math.min(...weights.slice(40)) >= 95, `weights went down to ${Math.min(...weights)}`);
});
