// HAProxy's stats CSV (the stats frontend of the rendered config, with the credentials the
// testbed sets): each server's state, weight and address, for readiness and for state flips.

export interface ServerStat {
  name: string;
  /** UP, DOWN, MAINT, DRAIN, "UP 1/2", "no check", ... as HAProxy prints it. */
  status: string;
  weight: number;
  /** The server's address without the port, '' when it has none yet. */
  address: string;
}

export const STATS_USER = 'bench';
export const STATS_PASSWORD = 'bench';

/** Pure: the servers of one backend from the CSV text. */
export function parseStatsCsv(text: string, backend: string): ServerStat[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  const col = (name: string) => header.indexOf(name);
  const [px, sv, status, weight, addr] = ['pxname', 'svname', 'status', 'weight', 'addr'].map(col);
  if ([px, sv, status, weight].some((i) => i! < 0)) throw new Error('stats CSV without pxname, svname, status or weight');
  return lines.map((l) => l.split(',')).filter((f) => f[px!] === backend && f[sv!] !== 'BACKEND' && f[sv!] !== 'FRONTEND').map((f) => ({
    name: f[sv!]!,
    status: f[status!]!,
    weight: Number(f[weight!]),
    address: addr! >= 0 ? (f[addr!] ?? '').replace(/:\d+$/, '') : '',
  }));
}

export async function fetchServerStats(ip: string, statsPort: number, backend: string): Promise<ServerStat[]> {
  const auth = Buffer.from(`${STATS_USER}:${STATS_PASSWORD}`).toString('base64');
  const res = await fetch(`http://${ip}:${statsPort}/stats;csv`, { headers: { authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`stats ${ip}:${statsPort}: HTTP ${res.status}`);
  return parseStatsCsv(await res.text(), backend);
}

/** "UP 1/3" and "DOWN 1/2" are transitions in progress: the state is the first word. */
export function stateWord(status: string): string {
  return status.split(' ')[0] ?? status;
}
