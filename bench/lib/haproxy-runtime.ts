// HAProxy's runtime API over its unix socket: `show servers state` names each server's address
// (the stats CSV leaves addr empty without `stats show-legends`, which the rendered config lacks).
import { connect } from 'node:net';

/** Pure: server name -> IPv4 address of the servers that have one, from `show servers state`. */
export function parseServersState(text: string): Map<string, string> {
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('# be_id'))?.replace(/^# /, '').split(' ') ?? [];
  const name = header.indexOf('srv_name');
  const addr = header.indexOf('srv_addr');
  const out = new Map<string, string>();
  if (name < 0 || addr < 0) return out;
  for (const line of lines) {
    if (!/^\d+ /.test(line)) continue;
    const fields = line.split(' ');
    const ip = fields[addr] ?? '';
    if (/^\d+\.\d+\.\d+\.\d+$/.test(ip) && ip !== '0.0.0.0') out.set(fields[name]!, ip);
  }
  return out;
}

export function runtimeCommand(socketPath: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    const timer = setTimeout(() => socket.destroy(new Error(`${command}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => { clearTimeout(timer); resolve(text); });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
}
