// Starts one replica: the agent's worker thread first (so HAProxy gets answers as soon as
// possible), then the HTTP server. shutdown() drains: the agent answers `drain`, the HTTP side
// keeps serving for the drain delay (until HAProxy has asked the agent again), then stops
// accepting, lets in-flight requests finish (up to the shutdown timeout) and stops the agent.
import { createServer, type Server } from 'node:http';
import { startAgentThread, type AgentThread } from './agent/agent-thread.js';
import { createApp } from './app.js';
import type { ApiConfig } from './config.js';
import { createApiMetrics } from './metrics.js';
import { countRequests, createRequestStatsBuffer } from './request-stats.js';
import { injectDelay } from './injected-delay.js';
import { checkPassed, HAProxyAdmission } from './readiness/haproxy-admission.js';

/** Agent sockets are destroyed this long after they connected. */
export const AGENT_SOCKET_DEADLINE_MS = 2000;

export interface RunningApi {
  httpPort: number;
  agent: AgentThread;
  shutdown(reason: string): Promise<void>;
}

export async function startApi(config: ApiConfig, log: (message: string) => void, host?: string): Promise<RunningApi> {
  const requestStats = createRequestStatsBuffer();
  const agent = await startAgentThread(
    {
      agentPort: config.agentPort,
      host,
      cgroupRoot: config.cgroupRoot,
      loop: config.loop,
      sampleIntervalMs: config.sampleIntervalMs,
      maxConnections: config.agentMaxConnections,
      socketDeadlineMs: AGENT_SOCKET_DEADLINE_MS,
      requestStats,
      draining: false,
    },
    {
      log,
      onTransition: (from, to, load) => log(`agent ${from} -> ${to} (load ${load.toFixed(1)}%)`),
    },
  );
  let draining = false;
  const metrics = createApiMetrics({
    snapshot: () => agent.snapshot(),
    restarts: () => agent.restarts(),
    thresholds: { maintAt: config.loop.policy.maintAt, readyAt: config.loop.policy.readyAt },
    metric: config.loop.metric,
  });
  const admission = new HAProxyAdmission(config.healthCheck.rise, Date.now());
  let ready = false;
  const readiness = {
    healthPath: config.healthCheck.path,
    healthChecked: (checker: string | undefined, status: number) => admission.healthCheck(checker, checkPassed(status)),
    state: () => {
      const state = admission.state(Date.now(), draining);
      if (state.ready !== ready) log(`${state.ready ? 'ready' : 'not ready'}: ${state.reason}`);
      ready = state.ready;
      return state;
    },
  };
  const app = createApp({
    agent: () => agent.snapshot(), metrics, draining: () => draining, countRequests: countRequests(requestStats), readiness,
    ...(config.delayFile ? { injectDelay: injectDelay(config.delayFile) } : {}),
  });
  const server: Server = createServer(app);
  server.on('clientError', (_error, socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.port, host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await agent.stop();
    throw new Error(`cannot listen on port ${config.port}: ${(error as Error).message}`, { cause: error });
  }
  const address = server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.port;

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      draining = true;
      log(`${reason}: agent answers drain; serving ${config.drainDelayMs} ms more`);
      agent.drain();
      await sleep(config.drainDelayMs);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const finished = await Promise.race([closed.then(() => true), sleep(config.shutdownTimeoutMs).then(() => false)]);
      if (!finished) {
        log(`in-flight requests still open after ${config.shutdownTimeoutMs} ms; closing them`);
        server.closeAllConnections();
      }
      await agent.stop();
      log('stopped');
    })();
    return shuttingDown;
  };
  return { httpPort, agent, shutdown };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
