// The agent's own thread: samples the cgroup on its timer, runs the policy and answers HAProxy,
// all off the main event loop, so a replica saturated by its requests can still say so.
import { parentPort, workerData } from 'node:worker_threads';
import { redecideAgentLoop, startAgentLoop, stepAgentLoop, type AgentLoopState } from '../policy/agent-step.js';
import { replyForInstances, type AgentState } from '../policy/decide-agent-reply.js';
import { readRequestWindows } from '../request-stats.js';
import { createProbe } from '../probe/create-probe.js';
import type { Probe } from '../probe/probe.js';
import type { AgentSnapshot, AgentWorkerConfig, MainToWorker, WorkerToMain } from './agent-messages.js';
import { startAgentServer, type AgentServer } from './agent-server.js';
import { HAProxyInstances } from './haproxy-instances.js';

const config = workerData as AgentWorkerConfig;
const port = parentPort!;
const send = (message: WorkerToMain) => port.postMessage(message);

const loopConfig = config.loop;
const readRequests = readRequestWindows(config.requestStats);
const instances = new HAProxyInstances();
let draining = config.draining;
let state: AgentLoopState = redecideAgentLoop(startAgentLoop(loopConfig, performance.now()), loopConfig, performance.now(), draining);
const counters = {
  probeErrors: 0,
  lastProbeError: undefined as string | undefined,
  samples: 0,
  replies: { ready: 0, maint: 0, drain: 0 } as Record<AgentState, number>,
  transitions: {} as Record<string, number>,
  socketErrors: 0,
};
let probe: Probe;
let server: AgentServer | undefined;
let timer: NodeJS.Timeout | undefined;
let stopping = false;

function snapshot(): AgentSnapshot {
  const reading = state.lastReading;
  const d = state.decision;
  const c = state.capacity;
  return {
    state: d.state,
    weightPercent: d.weightPercent,
    concurrency: d.concurrency,
    haproxyInstances: instances.count(performance.now()),
    capacity: c.capacity,
    latencyFactor: c.latencyFactor,
    serviceTimeMs: c.recentUs === undefined ? undefined : c.recentUs / 1000,
    baselineServiceTimeMs: c.baselineUs === undefined ? undefined : c.baselineUs / 1000,
    inFlight: state.inFlight,
    reply: d.reply,
    stateSinceEpochMs: Date.now() - (performance.now() - d.sinceMs),
    raw: state.raw,
    smoothed: state.smoothed,
    cpuLimitCores: reading?.cpuLimitCores ?? 0,
    memoryLimitBytes: reading?.memoryLimitBytes ?? 0,
    probe: probe.kind,
    probeSource: probe.source,
    ...counters,
    replies: { ...counters.replies },
    transitions: { ...counters.transitions },
    openConnections: server?.openConnections() ?? 0,
  };
}

function adopt(next: AgentLoopState): void {
  const from = state.decision.state;
  state = next;
  const to = state.decision.state;
  if (from !== to) {
    const key = `${from}>${to}`;
    counters.transitions[key] = (counters.transitions[key] ?? 0) + 1;
    send({ type: 'transition', from, to, loadPercent: state.smoothed.load * 100 });
  }
}

async function sample(): Promise<void> {
  try {
    const reading = await probe.read();
    const own = process.cpuUsage();
    adopt(stepAgentLoop(state, { ...reading, ownCpuSeconds: (own.user + own.system) / 1e6 }, loopConfig, draining, readRequests()));
    counters.samples++;
  } catch (error) {
    counters.probeErrors++;
    counters.lastProbeError = (error as Error).message;
  }
  if (stopping) return;
  send({ type: 'snapshot', snapshot: snapshot() });
  timer = setTimeout(() => void sample(), config.sampleIntervalMs);
}

port.on('message', (message: MainToWorker) => {
  if (message.type === 'drain') {
    draining = true;
    adopt(redecideAgentLoop(state, loopConfig, performance.now(), true));
    send({ type: 'snapshot', snapshot: snapshot() });
  } else if (message.type === 'stop') {
    stopping = true;
    clearTimeout(timer);
    void (server?.close() ?? Promise.resolve()).finally(() => port.close());
  }
});

try {
  probe = createProbe(config.cgroupRoot);
  server = await startAgentServer({
    port: config.agentPort,
    host: config.host,
    reply: (address) => {
      const now = performance.now();
      instances.seen(address, now);
      return replyForInstances(state.decision, instances.count(now));
    },
    socketDeadlineMs: config.socketDeadlineMs,
    maxConnections: config.maxConnections,
    onReply: () => counters.replies[state.decision.state]++,
    onSocketError: () => counters.socketErrors++,
    onServerError: () => counters.socketErrors++,
  });
  send({ type: 'listening', port: server.port, snapshot: snapshot() });
  void sample();
} catch (error) {
  send({ type: 'fatal', message: `agent cannot start on port ${config.agentPort}: ${(error as Error).message}` });
  port.close();
}
