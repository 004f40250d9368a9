// What a ready replica can take, from what it measures of itself. Pure: signals and time in,
// the next estimate out (api/policy/agent-step.ts folds it into the agent's loop).
//
//   foreign CPU   = the container's CPU minus the replica's own process's, over the limit: work
//                   the replica does not control (another process, stress-ng). It does not rise
//                   because HAProxy sends traffic, so it is the capacity signal and the
//                   overload (maint) signal.
//   capacity      = (1 - foreign CPU) x the container's CPUs / the spec's CPUs (1 = a spec-sized
//                   replica with nothing else running; a replica with twice the CPUs counts 2)
//   latency       = the replica's recent service time (p90 of a window of requests; a slower
//                   window counts at once, a faster one as it persists) against its own baseline
//                   (the lowest it has shown, rising slowly): throttling, a slow dependency or a
//                   CPU starved by a neighbour show here first
//   weight        = the CPUs over the spec's x (1 - foreign CPU)^6 x (allowed / recent)^3, in
//                   percent (1..256), allowed = max(2 x baseline, baseline + 5 ms). A neighbour
//                   costs more than its share of CPU: requests that meet it wait out throttled
//                   CFS periods. The latency term counts only beyond `allowed` and fades as the
//                   replica's own work fills what is left (10 % -> 50 %): busy is queueing, which
//                   the concurrency handles.
//   concurrency   = the requests it can serve per second x (its service time + 10 ms), at least
//                   2, at most the cap: bursts fit, and under overload HAProxy queues the rest,
//                   where the queue is bounded
//
// A window closes once it holds minSamples requests (and only such windows teach the baseline),
// or after windowMaxMs with at least fewSamples; without any request (and no neighbour) the
// latency estimate slowly relaxes to the baseline.
import { quantileUs, SERVICE_TIME_BUCKETS, type RequestWindow } from './service-time.js';
import { smoothEwma } from './smoothing.js';

export interface CapacityTuning {
  /** Time constant of the foreign-CPU estimate behind the weight: short, so a neighbour is shed fast. */
  fastMs: number;
  /** Time constant with which the recent service time falls (it rises at once: peak-EWMA). */
  latencyMs: number;
  /** The baseline rises by at most a factor e per this time (it falls at once). */
  baselineRiseMs: number;
  /** Time constant with which the latency estimate relaxes to the baseline without any request... */
  relaxMs: number;
  /** ...while the foreign CPU is below this share of the limit. */
  uncontended: number;
  /** Requests that close a window. */
  minSamples: number;
  /** A window closes after windowMaxMs with at least `fewSamples` requests (not teaching the baseline); one with fewer is kept until staleMs. */
  windowMaxMs: number;
  fewSamples: number;
  staleMs: number;
  /** The service-time quantile compared with the baseline. */
  quantile: number;
  /** How strongly a slower replica is avoided: weight x (tolerance x baseline / recent)^exponent. */
  latencyExponent: number;
  /** Service time up to this multiple of the baseline, or the baseline plus latencySlackMs, does not lower the weight. */
  latencyTolerance: number;
  latencySlackMs: number;
  /** The latency term fades from full (own CPU below busyFrom of what is left) to none (above busyAt). */
  busyFrom: number;
  busyAt: number;
  /** How strongly CPU taken by a neighbour lowers the weight: (1 - foreign)^exponent. */
  contentionExponent: number;
  /** The longest a request should wait inside a replica under overload (sizes the concurrency). */
  queueMs: number;
}

export const CAPACITY_TUNING: CapacityTuning = {
  fastMs: 250,
  latencyMs: 2000,
  baselineRiseMs: 120_000,
  relaxMs: 30_000,
  uncontended: 0.1,
  minSamples: 16,
  windowMaxMs: 2000,
  fewSamples: 5,
  staleMs: 60_000,
  quantile: 0.9,
  latencyExponent: 3,
  latencyTolerance: 2,
  latencySlackMs: 5,
  busyFrom: 0.1,
  busyAt: 0.5,
  contentionExponent: 6,
  queueMs: 10,
};

/** HAProxy's largest effective weight (agent percentages above 100 % scale the configured weight up to it). */
export const MAX_WEIGHT_PERCENT = 256;
export const MIN_CONCURRENCY = 2;

export interface CapacitySample {
  elapsedMs: number;
  /** The container's CPU over its limit in this sample (undefined when unknown). */
  containerCpu: number | undefined;
  /** The replica's own process's CPU over the same limit. */
  ownCpu: number | undefined;
  limitCores: number;
  requests: RequestWindow;
}

export interface CapacityConfig {
  /** The CPUs a replica has per the spec; the capacity of a replica with these CPUs and no neighbour is 1. */
  referenceCores: number | undefined;
  /** Most requests in flight ever allowed to one replica (0 = no limit, nothing sent). */
  concurrencyCap: number;
  tuning: CapacityTuning;
}

interface PendingWindow { buckets: number[]; count: number; ms: number; totalUs: number; ownCpuSeconds: number }

export interface CapacityState {
  /** Foreign CPU over the limit: fast (weight) and raw (last sample). */
  foreignFast: number;
  foreignRaw: number;
  /** The replica's own CPU over the limit, smoothed like the recent service time. */
  ownSmoothed: number;
  pending: PendingWindow;
  /** Recent and baseline service-time quantile, microseconds. */
  recentUs: number | undefined;
  baselineUs: number | undefined;
  /** Own CPU seconds per request and mean service time (us), for the concurrency estimate. */
  cpuPerRequestSeconds: number | undefined;
  meanServiceUs: number | undefined;
  /** Outputs. */
  capacity: number;
  latencyFactor: number;
  weightPercent: number;
  concurrency: number;
}

const emptyWindow = (): PendingWindow => ({ buckets: new Array<number>(SERVICE_TIME_BUCKETS).fill(0), count: 0, ms: 0, totalUs: 0, ownCpuSeconds: 0 });

export function startCapacity(config: CapacityConfig): CapacityState {
  return {
    foreignFast: 0, foreignRaw: 0, ownSmoothed: 0, pending: emptyWindow(), recentUs: undefined, baselineUs: undefined,
    cpuPerRequestSeconds: undefined, meanServiceUs: undefined, capacity: 1, latencyFactor: 1, weightPercent: 100,
    concurrency: initialConcurrency(config),
  };
}

/** Before any measurement: twice the floor, within the cap. */
function initialConcurrency(config: CapacityConfig): number {
  return config.concurrencyCap > 0 ? Math.min(config.concurrencyCap, 2 * MIN_CONCURRENCY) : 0;
}

export function stepCapacity(state: CapacityState, sample: CapacitySample, config: CapacityConfig): CapacityState {
  const t = config.tuning;
  const foreignRaw = sample.containerCpu !== undefined && sample.ownCpu !== undefined
    ? Math.max(0, sample.containerCpu - sample.ownCpu) : state.foreignRaw;
  const foreignFast = smoothEwma(state.foreignFast, foreignRaw, sample.elapsedMs, t.fastMs);
  const ownSmoothed = smoothEwma(state.ownSmoothed, sample.ownCpu ?? 0, sample.elapsedMs, t.latencyMs);
  const next = { ...state, foreignRaw, foreignFast, ownSmoothed };
  // The neighbour is gone: what its stalls did to the service time says nothing about now.
  if (state.foreignFast >= t.uncontended && foreignFast < t.uncontended && next.baselineUs !== undefined) {
    next.recentUs = next.baselineUs;
    next.pending = emptyWindow();
  }
  // Slow and busy with its own requests is queueing, which the concurrency limit and HAProxy's
  // choice by requests in flight handle; slow but not busy is what the weight must say. So the
  // latency term fades as the replica's own CPU fills what the neighbour leaves, and what a busy
  // window measured beyond the allowance is remembered only as far as the window was not busy
  // (else the queueing of a burst would count against the replica once the burst is over).
  const busy = busyness(next.ownSmoothed, foreignFast, t);
  foldRequests(next, sample, t);

  const reference = config.referenceCores && config.referenceCores > 0 ? config.referenceCores : sample.limitCores;
  const cores = sample.limitCores > 0 ? sample.limitCores : reference;
  next.capacity = Math.max(0, 1 - foreignFast) * (cores / reference);
  // Service time within twice the baseline, or the baseline plus 5 ms, is normal variation (a
  // GC pause, a page fault on a sub-millisecond request) and leaves the weights steady; beyond it
  // the weight falls steeply.
  const allowedUs = allowedServiceUs(next.baselineUs, t);
  next.latencyFactor = next.recentUs !== undefined && allowedUs !== undefined && next.recentUs > allowedUs
    ? (allowedUs / next.recentUs) ** (t.latencyExponent * (1 - busy)) : 1;
  // A neighbour's CPU costs more than its share: requests that meet it wait for the rest of a
  // throttled CFS period, so the weight falls with the share left to the power contentionExponent.
  next.weightPercent = clampInt(100 * (cores / reference) * Math.max(0, 1 - foreignFast) ** t.contentionExponent * next.latencyFactor, 1, MAX_WEIGHT_PERCENT);
  next.concurrency = concurrencyFor(next, cores, config);
  return next;
}

/** 0 while the replica's own CPU is below busyFrom of what a neighbour leaves, 1 from busyAt. */
function busyness(ownCpu: number, foreignCpu: number, t: CapacityTuning): number {
  const share = ownCpu / Math.max(0.05, 1 - foreignCpu);
  return Math.min(1, Math.max(0, (share - t.busyFrom) / (t.busyAt - t.busyFrom)));
}

function allowedServiceUs(baselineUs: number | undefined, t: CapacityTuning): number | undefined {
  return baselineUs === undefined ? undefined : Math.max(baselineUs * t.latencyTolerance, baselineUs + t.latencySlackMs * 1000);
}

/** A window's time beyond the allowance counts only as far as the replica was not busy (0..1). */
function discountQueueing(us: number, allowedUs: number | undefined, busy: number): number {
  return allowedUs !== undefined && us > allowedUs ? allowedUs + (us - allowedUs) * (1 - busy) : us;
}

/** Adds the sample's requests to the open window; closes it when it holds enough. */
function foldRequests(state: CapacityState, sample: CapacitySample, t: CapacityTuning): void {
  const w = state.pending;
  const pending: PendingWindow = {
    buckets: w.buckets.map((n, i) => n + (sample.requests.buckets[i] ?? 0)),
    count: w.count + sample.requests.completed,
    ms: w.ms + sample.elapsedMs,
    totalUs: w.totalUs + sample.requests.totalUs,
    ownCpuSeconds: w.ownCpuSeconds + ((sample.ownCpu ?? 0) * sample.limitCores * sample.elapsedMs) / 1000,
  };
  const full = pending.count >= t.minSamples;
  if (full || (pending.ms >= t.windowMaxMs && pending.count >= t.fewSamples)) {
    // p90 of a full window; the median of a short one (its p90 would be its slowest request).
    const q = quantileUs(pending.buckets, full ? t.quantile : 0.5)!;
    // What a busy window measured beyond the allowance is its own queueing: kept only as far as
    // the replica was not busy during the window (its own CPU over the window, not the smoothed
    // figure, which lags a burst by seconds).
    const windowOwnCpu = sample.limitCores > 0 && pending.ms > 0 ? pending.ownCpuSeconds / ((sample.limitCores * pending.ms) / 1000) : 0;
    const busy = busyness(windowOwnCpu, state.foreignFast, t);
    const allowedUs = allowedServiceUs(state.baselineUs, t);
    const judged = discountQueueing(q, allowedUs, busy);
    // Peak-EWMA: a slower window counts at once, a faster one only as it persists, so a replica
    // whose requests stall now and then is judged by its stalls.
    state.recentUs = state.recentUs === undefined || judged > state.recentUs ? judged : smoothEwma(state.recentUs, judged, pending.ms, t.latencyMs);
    // The baseline learns from full windows only (a few requests say little about the best the
    // replica can do); it falls at once and rises by at most a factor e per baselineRiseMs.
    if (full) state.baselineUs = state.baselineUs === undefined || q < state.baselineUs ? q : Math.min(q, state.baselineUs * Math.exp(pending.ms / t.baselineRiseMs));
    const cpuPerRequest = pending.ownCpuSeconds / pending.count;
    state.cpuPerRequestSeconds = state.cpuPerRequestSeconds === undefined ? cpuPerRequest : smoothEwma(state.cpuPerRequestSeconds, cpuPerRequest, pending.ms, t.latencyMs);
    // The mean counts for the concurrency with the same discount: in a busy window the time
    // beyond the allowance is waiting in its own event loop, and a limit that grew with it would
    // let the queue grow without end.
    const mean = discountQueueing(pending.totalUs / pending.count, allowedUs, busy);
    state.meanServiceUs = state.meanServiceUs === undefined ? mean : smoothEwma(state.meanServiceUs, mean, pending.ms, t.latencyMs);
    state.pending = emptyWindow();
  } else if (pending.ms >= t.windowMaxMs && pending.count === 0) {
    // No request at all for a while. With nothing else running in the container the replica is
    // slowly presumed well again (a replica nobody sends to is not slow forever); while a
    // neighbour still takes CPU, the last estimate stands.
    if (state.recentUs !== undefined && state.baselineUs !== undefined && state.foreignFast < t.uncontended) {
      state.recentUs = smoothEwma(state.recentUs, state.baselineUs, pending.ms, t.relaxMs);
    }
    state.pending = emptyWindow();
  } else if (pending.ms >= t.staleMs) {
    // A trickle too thin to judge: the estimate stands, the window starts again.
    state.pending = emptyWindow();
  } else {
    // A replica that still gets a few requests is judged by them once there are fewSamples.
    state.pending = pending;
  }
}

/**
 * Little's law with a queueing allowance: the requests it can serve per second x (its mean
 * service time + queueMs): enough to keep its CPU busy, little more. A full replica pushes its
 * overflow to HAProxy's one bounded queue, which hands each request to whichever replica frees a
 * slot first, so a slower replica beside it is used before a queue builds inside the fast one.
 */
function concurrencyFor(state: CapacityState, cores: number, config: CapacityConfig): number {
  if (config.concurrencyCap <= 0) return 0;
  if (state.cpuPerRequestSeconds === undefined || state.meanServiceUs === undefined || !(state.cpuPerRequestSeconds > 0)) return state.concurrency;
  const ratePerSecond = (Math.max(0.05, 1 - state.foreignFast) * cores) / state.cpuPerRequestSeconds;
  const inFlight = ratePerSecond * (state.meanServiceUs / 1e6 + config.tuning.queueMs / 1000);
  return clampInt(Math.ceil(inFlight), MIN_CONCURRENCY, config.concurrencyCap);
}

function clampInt(x: number, min: number, max: number): number {
  if (!Number.isFinite(x)) return min;
  return Math.min(max, Math.max(min, Math.round(x)));
}
