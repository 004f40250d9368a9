// Parses the master CLI's `show proc` (HAProxy 2.6):
//   #<PID>  <type>  <reloads>  <uptime>  <version>
//   10085   master  2 [failed: 1]  0d00h00m09s  2.6.12
//   # workers
//   10114   worker  1  0d00h00m02s  2.6.12
//   # old workers
//   ...
// The master's reload counter grows on every reload, `failed` counts the failed ones since the
// last success; a worker's counter is how many reloads it has been through (0 = newest).

export interface ProcEntry { pid: number; reloads: number; uptime: string }
export interface ProcTable {
  master: ProcEntry & { failed: number };
  workers: ProcEntry[];
  oldWorkers: ProcEntry[];
}

export function parseShowProc(text: string): ProcTable {
  let master: ProcTable['master'] | undefined;
  const workers: ProcEntry[] = [];
  const oldWorkers: ProcEntry[] = [];
  let group: 'workers' | 'old' | 'programs' | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '# workers') { group = 'workers'; continue; }
    if (line === '# old workers') { group = 'old'; continue; }
    if (line.startsWith('# programs')) { group = 'programs'; continue; }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\d+)\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]\s+(\S+)/.exec(line);
    if (m) { master = { pid: Number(m[1]), reloads: Number(m[2]), failed: Number(m[3]), uptime: m[4]! }; continue; }
    const w = /^(\d+)\s+worker\s+(\d+)\s+(\S+)/.exec(line);
    if (w && (group === 'workers' || group === 'old')) {
      const entry = { pid: Number(w[1]), reloads: Number(w[2]), uptime: w[3]! };
      (group === 'workers' ? workers : oldWorkers).push(entry);
    }
  }
  if (!master) throw new Error(`not a show proc answer: ${JSON.stringify(text.slice(0, 200))}`);
  return { master, workers, oldWorkers };
}
