// The probe that row 14 runs in a throwaway container on a BalancedService's overlay network
// (`node -e PROBE_SCRIPT JSON`): what a neighbour on that network can reach. Plain JavaScript, as
// the container runs it with the image's node and no TypeScript. It prints one JSON line.

export interface ProbeInput {
  haproxy: string;
  appPort: number;
  statsPort: number;
  supervisorPort: number;
  /** user:password of the stats page, to prove the page answers at all. */
  statsAuth: string;
  operatorUrl: string;
  name: string;
  token: string;
  replica: string;
  agentPort: number;
}

export interface ProbeResult {
  stats: { noAuth: number; wrongAuth: number; rightAuth: number; postNoAuth: number; csvNoAuth: number; metrics: number };
  /** Every TCP port of the HAProxy container that accepted a connection (1..65535). */
  openPorts: number[];
  /** Per open port: whether `show info` / `show stat` / `show proc` got runtime-API output back. */
  runtimeAnswers: Record<string, boolean>;
  supervisor: { metrics: number; post: number };
  operator: { noToken: number; wrongToken: number; rightToken: number; statusNoToken: number; writeSpec: number; deleteSpec: number };
  agentReply: string;
}

export const PROBE_SCRIPT = String.raw`
const net = require('node:net');
const input = JSON.parse(process.argv[1]);
const basic = (s) => 'Basic ' + Buffer.from(s).toString('base64');
async function status(url, init = {}) {
  try { const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) }); await r.arrayBuffer(); return r.status; }
  catch (e) { return -1; }
}
function connects(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
function talk(host, port, text, waitMs) {
  return new Promise((resolve) => {
    let got = '';
    const s = net.connect({ host, port });
    s.setEncoding('utf8');
    s.on('data', (d) => { got += d; });
    s.once('connect', () => s.write(text));
    s.once('error', () => resolve(got));
    setTimeout(() => { s.destroy(); resolve(got); }, waitMs);
  });
}
(async () => {
  const h = input.haproxy;
  const stats = 'http://' + h + ':' + input.statsPort;
  const result = {};
  result.stats = {
    noAuth: await status(stats + '/stats'),
    wrongAuth: await status(stats + '/stats', { headers: { authorization: basic('admin:wrong-password') } }),
    rightAuth: await status(stats + '/stats', { headers: { authorization: basic(input.statsAuth) } }),
    postNoAuth: await status(stats + '/stats', { method: 'POST', body: 's=replica1&action=maint&b=x' }),
    csvNoAuth: await status(stats + '/stats;csv'),
    metrics: await status(stats + '/metrics'),
  };
  const open = [];
  const ports = Array.from({ length: 65535 }, (_, i) => i + 1);
  let next = 0;
  await Promise.all(Array.from({ length: 500 }, async () => {
    while (next < ports.length) { const p = ports[next++]; if (await connects(h, p, 1500)) open.push(p); }
  }));
  result.openPorts = open.sort((a, b) => a - b);
  result.runtimeAnswers = {};
  for (const p of result.openPorts) {
    const got = await talk(h, p, 'show info\nshow stat\nshow proc\n', 1500);
    result.runtimeAnswers[p] = /Uptime_sec|# pxname|<PID>|Process_num/.test(got);
  }
  const sup = 'http://' + h + ':' + input.supervisorPort;
  result.supervisor = { metrics: await status(sup + '/metrics'), post: await status(sup + '/metrics', { method: 'POST', body: 'x' }) };
  const cfg = input.operatorUrl + '/v1/haproxy/' + input.name;
  result.operator = {
    noToken: await status(cfg + '/config'),
    wrongToken: await status(cfg + '/config', { headers: { authorization: 'Bearer not-the-token' } }),
    rightToken: await status(cfg + '/config', { headers: { authorization: 'Bearer ' + input.token } }),
    statusNoToken: await status(cfg + '/status', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }),
    writeSpec: await status(input.operatorUrl + '/v1/balancedservices/' + input.name, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }),
    deleteSpec: await status(input.operatorUrl + '/v1/balancedservices/' + input.name, { method: 'DELETE' }),
  };
  result.agentReply = (await talk(input.replica, input.agentPort, '', 1500)).trim();
  console.log(JSON.stringify(result));
})();
`;
