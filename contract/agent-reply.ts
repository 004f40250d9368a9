// The agent-check reply: written by the agent in every replica (api/), read by HAProxy and by
// the supervisor's panic guard (haproxy/supervisor/). HAProxy's agent protocol is one ASCII line;
// bso's agent adds `maxconn:N` when ready and a `#load=NN` comment when in maint. Part of the
// contract between the images (contract/): imports nothing of ours.

export type AgentState = 'ready' | 'maint' | 'drain';
export const AGENT_STATES: readonly AgentState[] = ['ready', 'maint', 'drain'];

/**
 * `ready NN%` (also lifts a maint or drain set by the agent), with ` maxconn:N` when a
 * concurrency is known (HAProxy sets the server's connection limit); `maint #load=NN` carries
 * the pressure after `#` (HAProxy ignores it; the panic guard ranks overloaded replicas by it).
 */
export function formatAgentReply(state: AgentState, weightPercent: number, loadPercent?: number, maxconn = 0): string {
  if (state === 'ready') return `ready ${weightPercent}%${maxconn > 0 ? ` maxconn:${maxconn}` : ''}\n`;
  if (state === 'maint' && loadPercent !== undefined && Number.isFinite(loadPercent)) return `maint #load=${Math.min(9999, Math.max(0, Math.round(loadPercent)))}\n`;
  return `${state}\n`;
}

export interface AgentAnswer {
  state: AgentState | 'other';
  /** From the reply's `#load=NN` comment, percent of the replica's limit. */
  loadPercent?: number;
}

/** Reads a reply line (bso's or any agent's): the state word and the optional `#load=NN` comment. */
export function parseAgentReply(line: string): AgentAnswer {
  const [body = '', comment = ''] = line.trim().split('#', 2);
  const words = body.toLowerCase().split(/[\s,]+/).filter((w) => w !== '');
  const state = words.includes('drain') ? 'drain' : words.includes('maint') ? 'maint' : words.includes('ready') || words.includes('up') ? 'ready' : 'other';
  const load = /(?:^|\s)load=([0-9]{1,4})(?:\s|$)/.exec(comment);
  return load ? { state, loadPercent: Number(load[1]) } : { state };
}
