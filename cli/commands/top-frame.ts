// `bso top NAME`: one frame of the live view, as lines of text. Pure: the same snapshot and
// options give the same lines. Colors (ANSI) only when asked for; the caller decides from the
// terminal and NO_COLOR.

export interface TopReplica {
  /** HAProxy's server (slot) name, e.g. replica3. */
  server: string;
  /** ip:port of the replica behind the slot. */
  address: string;
  /** The replica in the slot: Swarm task (hello-api.2) or pod. */
  task?: string;
  /** HAProxy's state: UP, MAINT, DRAIN, DOWN, NOLB. */
  state: string;
  /** HAProxy's effective weight (the agent's percentage of 100). */
  weight: number;
  /** What HAProxy last heard from the agent, e.g. "ready 62%". */
  agent?: string;
  /** Smoothed CPU and memory use as a share of the container's limit (0..1). */
  cpu?: number;
  memory?: number;
  /** Share of the BalancedService's requests (0..1) and requests per second, over the last seconds. */
  share?: number;
  rate?: number;
}

export interface TopSnapshot {
  name: string;
  time: Date;
  /** "Ready", or the reason it is not (as `bso get` shows it); undefined when unknown. */
  status?: string;
  ready: boolean;
  desiredReplicas: number;
  readyReplicas: number;
  /** Percent of the container's limit: maint at or above, ready at or below. */
  thresholds: { maint: number; ready: number };
  replicas: TopReplica[];
  /** Where CPU and traffic figures come from, for the header (e.g. "prometheus", "haproxy"). */
  cpuSource?: string;
  shareSource?: string;
  /** Lines shown under the table: what is missing and how to get it. */
  notes: string[];
}

export interface FrameOptions {
  color: boolean;
  /** Terminal columns; bars are left out below 100. */
  width: number;
  /** Refresh interval shown in the header (live view), or undefined for a single snapshot. */
  intervalMs?: number;
}

const ESC = '\x1b[';
const paint = (on: boolean, code: string, text: string) => (on ? `${ESC}${code}m${text}${ESC}0m` : text);
const COLORS = { red: '31', green: '32', yellow: '33', dim: '2', bold: '1' } as const;
type Color = keyof typeof COLORS;

const STATE_COLOR: Record<string, Color> = { UP: 'green', MAINT: 'red', DRAIN: 'yellow', DOWN: 'red', NOLB: 'yellow' };
const BAR_WIDTH = 20;

/** "[######....|...]": the CPU share with a mark at the maint threshold. */
export function cpuBar(ratio: number, maintPercent: number, width = BAR_WIDTH): string {
  const filled = Math.round(clamp01(ratio) * width);
  const mark = Math.min(width - 1, Math.round((maintPercent / 100) * width));
  let bar = '';
  for (let i = 0; i < width; i++) bar += i === mark ? '|' : i < filled ? '#' : '.';
  return `[${bar}]`;
}

export function shareBar(ratio: number, width = BAR_WIDTH): string {
  const filled = Math.round(clamp01(ratio) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function percent(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '-' : `${Math.round(ratio * 100)}%`;
}

export function renderTopFrame(snapshot: TopSnapshot, options: FrameOptions): string[] {
  const c = (color: Color, text: string) => paint(options.color, COLORS[color], text);
  const wide = options.width >= 100;
  const cpuBars = wide && snapshot.replicas.some((r) => r.cpu !== undefined);
  const shareBars = wide && snapshot.replicas.some((r) => r.share !== undefined);
  const { maint, ready } = snapshot.thresholds;
  const clock = snapshot.time.toISOString().slice(11, 19);
  const status = snapshot.status ?? 'Unknown';
  const lines: string[] = [];
  lines.push([
    c('bold', `bso top ${snapshot.name}`),
    snapshot.ready ? c('green', status) : c('red', status),
    `${snapshot.readyReplicas}/${snapshot.desiredReplicas} UP`,
    options.intervalMs === undefined ? clock : `every ${formatInterval(options.intervalMs)}  ${clock}`,
  ].join('   '));
  const totalRate = sum(snapshot.replicas.map((r) => r.rate));
  lines.push([
    `CPU thresholds: maint >= ${maint}%, ready <= ${ready}%`,
    `CPU from ${snapshot.cpuSource ?? '-'}`,
    `traffic from ${snapshot.shareSource ?? '-'}${totalRate === undefined ? '' : ` (${formatRate(totalRate)} req/s)`}`,
  ].join('   '));
  lines.push('');

  const tasks = snapshot.replicas.some((r) => r.task !== undefined);
  const header = ['REPLICA', ...(tasks ? ['TASK'] : []), 'ADDRESS', 'STATE', 'WEIGHT', 'CPU', ...(cpuBars ? [''] : []), 'MEM', 'SHARE', ...(shareBars ? [''] : []), 'REQ/S', 'AGENT'];
  const rows = snapshot.replicas.map((r) => {
    const cpuColor: Color = r.cpu === undefined ? 'dim' : r.cpu * 100 >= maint ? 'red' : r.cpu * 100 > ready ? 'yellow' : 'green';
    const cells: Array<[string, Color | undefined]> = [
      [r.server, undefined],
      ...(tasks ? [[r.task ?? '-', undefined] as [string, undefined]] : []),
      [r.address, undefined],
      [r.state, STATE_COLOR[r.state] ?? 'dim'],
      [String(r.weight), undefined],
      [percent(r.cpu), cpuColor],
    ];
    if (cpuBars) cells.push([r.cpu === undefined ? '' : cpuBar(r.cpu, maint), cpuColor]);
    cells.push([percent(r.memory), undefined], [percent(r.share), undefined]);
    if (shareBars) cells.push([r.share === undefined ? '' : shareBar(r.share), undefined]);
    cells.push([r.rate === undefined ? '-' : formatRate(r.rate), undefined], [r.agent ?? '-', undefined]);
    return cells;
  });
  lines.push(...table(header, rows, c));
  if (snapshot.replicas.length === 0) lines.push('(no replica reported by HAProxy yet)');
  if (snapshot.notes.length > 0) lines.push('', ...snapshot.notes.map((n) => c('dim', n)));
  return lines;
}

/** Columns padded to the widest cell, colored after padding so escapes do not break alignment. */
function table(header: string[], rows: Array<Array<[string, Color | undefined]>>, c: (color: Color, text: string) => string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]![0].length)));
  const numeric = new Set(['WEIGHT', 'CPU', 'MEM', 'SHARE', 'REQ/S']);
  const pad = (text: string, i: number) => (numeric.has(header[i]!) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const out = [header.map((h, i) => pad(h, i)).join('  ').trimEnd()];
  for (const row of rows) {
    out.push(row.map(([text, color], i) => {
      const padded = i === row.length - 1 ? text : pad(text, i);
      return color ? c(color, padded) : padded;
    }).join('  ').trimEnd());
  }
  return out;
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

function formatInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function sum(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
