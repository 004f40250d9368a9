// Parses `show stat` (CSV) into the servers the supervisor reports to the operator. Slots
// without a replica ("MAINT (resolution)": DNS has no address for them) are left out.
import type { ServerReport, ServerState } from '../../contract/supervisor-protocol.js';

export type { ServerReport, ServerState } from '../../contract/supervisor-protocol.js';

const SERVER_TYPE = '2';

export function parseShowStat(csv: string): ServerReport[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error(`not a show stat answer: ${JSON.stringify(csv.slice(0, 200))}`);
  const columns = header.slice(2).split(',');
  const index = new Map(columns.map((name, i) => [name, i]));
  const get = (cells: string[], name: string) => {
    const i = index.get(name);
    return i === undefined ? '' : (cells[i] ?? '');
  };
  const servers: ServerReport[] = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const cells = line.split(',');
    if (get(cells, 'type') !== SERVER_TYPE) continue;
    const status = get(cells, 'status');
    if (status === 'MAINT (resolution)') continue;
    const report: ServerReport = {
      backend: get(cells, 'pxname'),
      name: get(cells, 'svname'),
      state: stateOf(status),
      weight: Number(get(cells, 'weight')) || 0,
      sessions: Number(get(cells, 'scur')) || 0,
    };
    const address = get(cells, 'addr');
    if (address !== '') report.address = address;
    const check = get(cells, 'check_status').replace(/^\* /, '');
    if (check !== '') report.checkStatus = check;
    const agent = get(cells, 'agent_status').replace(/^\* /, '');
    if (agent !== '') report.agentStatus = agent;
    const said = get(cells, 'last_agt');
    if (said !== '') report.agentDescription = said;
    servers.push(report);
  }
  return servers.sort((a, b) => a.backend.localeCompare(b.backend) || compareNames(a.name, b.name));
}

/** "UP 1/3" (going down) is still UP; "DOWN 1/2" (going up) still DOWN; MAINT has variants. */
export function stateOf(status: string): ServerState {
  const word = status.split(/[\s(]/)[0];
  switch (word) {
    case 'UP': return 'UP';
    case 'DOWN': return 'DOWN';
    case 'NOLB': return 'NOLB';
    case 'MAINT': return 'MAINT';
    case 'DRAIN': return 'DRAIN';
    case 'no': return 'UP'; // "no check": serving, not checked
    default: return 'UNKNOWN';
  }
}

/** replica2 before replica10. */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
