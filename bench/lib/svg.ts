// Pure SVG plots without dependencies: a grouped bar chart with min..max whiskers (medians over
// the runs) and a line chart (time series). Plain SVG 1.1 that browsers and GitHub render.

export interface Bar { label: string; median: number; min: number; max: number }
export interface BarGroup { label: string; bars: Bar[] }
export interface BarChart { title: string; unit: string; groups: BarGroup[]; logScale?: boolean }

export interface Series { label: string; points: Array<[number, number]> }
export interface LineChart {
  title: string; xLabel: string; yLabel: string; series: Series[];
  yMax?: number;
  /** Vertical markers, e.g. where a stress began and ended. */
  markers?: Array<{ x: number; label: string }>;
}

const WIDTH = 760;
const HEIGHT = 360;
const PAD = { left: 64, right: 16, top: 40, bottom: 72 };
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function renderBarChart(chart: BarChart): string {
  const labels = [...new Set(chart.groups.flatMap((g) => g.bars.map((b) => b.label)))];
  const finite = chart.groups.flatMap((g) => g.bars.flatMap((b) => [b.median, b.max])).filter((v) => Number.isFinite(v));
  const log = chart.logScale === true && finite.some((v) => v > 0);
  const top = niceCeiling(Math.max(0, ...finite));
  const bottomLog = log ? Math.max(1e-3, Math.min(...finite.filter((v) => v > 0))) : 0;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (v: number) => {
    if (!Number.isFinite(v)) return PAD.top + plotH;
    if (!log) return PAD.top + plotH - (top === 0 ? 0 : (v / top) * plotH);
    const lo = Math.log10(bottomLog) - 0.5; // the smallest bar stays visible
    const hi = Math.log10(Math.max(top, bottomLog * 10));
    return PAD.top + plotH - ((Math.log10(Math.max(v, bottomLog)) - lo) / (hi - lo)) * plotH;
  };
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, labels.length));
  const parts: string[] = [header(chart.title), axisY(chart.unit, log ? logTicks(bottomLog, top) : linearTicks(top), y)];
  chart.groups.forEach((group, gi) => {
    const x0 = PAD.left + gi * groupW + groupW * 0.1;
    group.bars.forEach((bar) => {
      const li = labels.indexOf(bar.label);
      const x = x0 + li * barW;
      const color = PALETTE[li % PALETTE.length]!;
      if (Number.isFinite(bar.median)) {
        const yTop = y(bar.median);
        parts.push(`<rect x="${f(x)}" y="${f(yTop)}" width="${f(barW * 0.9)}" height="${f(PAD.top + plotH - yTop)}" fill="${color}"><title>${esc(`${group.label} ${bar.label}: ${bar.median}`)}</title></rect>`);
        if (Number.isFinite(bar.min) && Number.isFinite(bar.max) && bar.max > bar.min) {
          const cx = x + barW * 0.45;
          parts.push(`<path d="M${f(cx)} ${f(y(bar.min))}V${f(y(bar.max))}M${f(cx - 3)} ${f(y(bar.min))}h6M${f(cx - 3)} ${f(y(bar.max))}h6" stroke="#333" fill="none"/>`);
        }
      } else {
        parts.push(`<text x="${f(x + barW * 0.45)}" y="${f(PAD.top + plotH - 4)}" font-size="9" text-anchor="middle" fill="#999">n/a</text>`);
      }
    });
    parts.push(`<text x="${f(PAD.left + gi * groupW + groupW / 2)}" y="${PAD.top + plotH + 16}" font-size="11" text-anchor="middle">${esc(group.label)}</text>`);
  });
  parts.push(legend(labels, PAD.top + plotH + 34));
  return footer(parts);
}

export function renderLineChart(chart: LineChart): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = chart.series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => Number.isFinite(v));
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(xMin + 1, ...xs);
  const top = chart.yMax ?? niceCeiling(Math.max(0, ...ys));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const y = (v: number) => PAD.top + plotH - (top === 0 ? 0 : (Math.min(v, top) / top) * plotH);
  const parts: string[] = [header(chart.title), axisY(chart.yLabel, linearTicks(top), y)];
  for (const tick of linearTicks(niceCeiling(xMax - xMin)).map((t) => t + xMin).filter((t) => t <= xMax)) {
    parts.push(`<text x="${f(x(tick))}" y="${PAD.top + plotH + 14}" font-size="10" text-anchor="middle">${esc(tickLabel(tick))}</text>`);
  }
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${PAD.top + plotH + 30}" font-size="11" text-anchor="middle">${esc(chart.xLabel)}</text>`);
  for (const marker of chart.markers ?? []) {
    parts.push(`<path d="M${f(x(marker.x))} ${PAD.top}V${PAD.top + plotH}" stroke="#999" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${f(x(marker.x) + 3)}" y="${PAD.top + 10}" font-size="10" fill="#666">${esc(marker.label)}</text>`);
  }
  chart.series.forEach((series, i) => {
    const d = series.points.filter((p) => Number.isFinite(p[1])).map((p, j) => `${j === 0 ? 'M' : 'L'}${f(x(p[0]))} ${f(y(p[1]))}`).join('');
    if (d) parts.push(`<path d="${d}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.6" fill="none"/>`);
  });
  parts.push(legend(chart.series.map((s) => s.label), PAD.top + plotH + 48));
  return footer(parts);
}

/** The smallest 1, 2 or 5 times a power of ten at or above the value. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value * (1 - 1e-12)) return step * power;
  return 10 * power;
}

export function linearTicks(top: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((k) => round(top * k));
}

function logTicks(bottom: number, top: number): number[] {
  const ticks: number[] = [];
  for (let p = Math.floor(Math.log10(bottom)); p <= Math.ceil(Math.log10(top)); p++) ticks.push(10 ** p);
  return ticks;
}

function header(title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n`
    + `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>\n<text x="${WIDTH / 2}" y="22" font-size="14" text-anchor="middle" font-weight="bold">${esc(title)}</text>`;
}

function footer(parts: string[]): string {
  return `${parts.join('\n')}\n</svg>\n`;
}

function axisY(label: string, ticks: number[], y: (v: number) => number): string {
  const plotRight = WIDTH - PAD.right;
  const lines = ticks.map((t) => `<path d="M${PAD.left} ${f(y(t))}H${plotRight}" stroke="#e5e5e5"/><text x="${PAD.left - 6}" y="${f(y(t) + 3)}" font-size="10" text-anchor="end">${esc(tickLabel(t))}</text>`);
  const mid = PAD.top + (HEIGHT - PAD.top - PAD.bottom) / 2;
  lines.push(`<text x="14" y="${mid}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${mid})">${esc(label)}</text>`);
  lines.push(`<path d="M${PAD.left} ${PAD.top}V${HEIGHT - PAD.bottom}" stroke="#333"/>`);
  return lines.join('\n');
}

function legend(labels: string[], yPos: number): string {
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length);
  return labels.map((label, i) => {
    const x = PAD.left + i * step;
    return `<rect x="${f(x)}" y="${yPos - 9}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${f(x + 14)}" y="${yPos}" font-size="11">${esc(label)}</text>`;
  }).join('\n');
}

function tickLabel(v: number): string {
  return Math.abs(v) >= 1000 ? `${round(v / 1000)}k` : String(round(v));
}

const round = (v: number) => Number(v.toPrecision(6));
const f = (v: number) => (Math.round(v * 10) / 10).toString();

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
