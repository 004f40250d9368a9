// A small SVG line chart, written by hand (no library, no download): stacked panels over one
// time axis, each with lines, dashed horizontal marks (thresholds) and shaded bands (MAINT
// periods). Pure: a chart description in, SVG text out.

export interface ChartSeries {
  label: string;
  color: string;
  /** [unix seconds, value]; a gap longer than ChartPanel.gapSeconds breaks the line. */
  points: Array<[number, number]>;
}

export interface ChartPanel {
  title: string;
  series: ChartSeries[];
  /** Values are ratios shown as percent on a 0..yMax axis (default 1 = 100 %). */
  yMax?: number;
  marks?: Array<{ value: number; label: string; color: string }>;
  bands?: Array<{ from: number; to: number; color: string; label?: string }>;
  gapSeconds?: number;
}

export interface Chart {
  title: string;
  subtitle?: string;
  /** Unix seconds of the left and right edges. */
  start: number;
  end: number;
  panels: ChartPanel[];
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const WIDTH = 960;
const PANEL_HEIGHT = 240;
const LEFT = 60;
const RIGHT = 200;
const TOP = 72;
const GAP = 44;
const BOTTOM = 40;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Round numbers for an axis: 1, 2, 5 x 10^n giving at most `count` ticks over span. */
export function tickStep(span: number, count = 8): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

const num = (n: number) => (Math.round(n * 10) / 10).toString();

export function renderSvgChart(chart: Chart): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const height = TOP + chart.panels.length * (PANEL_HEIGHT + GAP) - GAP + BOTTOM;
  const span = Math.max(1e-9, chart.end - chart.start);
  const x = (t: number) => LEFT + ((t - chart.start) / span) * plotWidth;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${num(height)}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="22" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`);
  if (chart.subtitle) out.push(`<text x="${LEFT}" y="40" fill="#555555">${escapeXml(chart.subtitle)}</text>`);

  const xStep = tickStep(span);
  chart.panels.forEach((panel, index) => {
    const top = TOP + index * (PANEL_HEIGHT + GAP);
    const yMax = panel.yMax ?? 1;
    const y = (v: number) => top + PANEL_HEIGHT - (Math.min(Math.max(v, 0), yMax) / yMax) * PANEL_HEIGHT;
    out.push(`<g class="panel">`);
    out.push(`<text x="${LEFT}" y="${num(top - 8)}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    for (const band of panel.bands ?? []) {
      const from = Math.max(chart.start, band.from);
      const to = Math.min(chart.end, band.to);
      if (to <= from) continue;
      out.push(`<rect class="band" x="${num(x(from))}" y="${top}" width="${num(x(to) - x(from))}" height="${PANEL_HEIGHT}" fill="${band.color}" fill-opacity="0.12">${band.label ? `<title>${escapeXml(band.label)}</title>` : ''}</rect>`);
    }
    // Axes and grid: 0, 25, 50, 75, 100 % of yMax.
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${num(y(v))}" y2="${num(y(v))}" stroke="#dddddd"/>`);
      out.push(`<text x="${LEFT - 6}" y="${num(y(v) + 4)}" text-anchor="end" fill="#555555">${Math.round(v * 100)}%</text>`);
    }
    for (let t = 0; t <= span + 1e-9; t += xStep) {
      out.push(`<line x1="${num(x(chart.start + t))}" x2="${num(x(chart.start + t))}" y1="${top}" y2="${top + PANEL_HEIGHT}" stroke="#eeeeee"/>`);
      out.push(`<text x="${num(x(chart.start + t))}" y="${top + PANEL_HEIGHT + 14}" text-anchor="middle" fill="#555555">${num(t)}s</text>`);
    }
    out.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#888888"/>`);
    for (const mark of panel.marks ?? []) {
      out.push(`<line class="mark" x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${num(y(mark.value))}" y2="${num(y(mark.value))}" stroke="${mark.color}" stroke-dasharray="6 4"/>`);
      out.push(`<text x="${LEFT + plotWidth - 4}" y="${num(y(mark.value) - 4)}" text-anchor="end" fill="${mark.color}">${escapeXml(mark.label)}</text>`);
    }
    for (const series of panel.series) {
      const d = pathOf(series.points, panel.gapSeconds ?? Infinity, x, y);
      if (d) out.push(`<path class="series" d="${d}" fill="none" stroke="${series.color}" stroke-width="2"><title>${escapeXml(series.label)}</title></path>`);
    }
    panel.series.forEach((series, i) => {
      const ly = top + 14 + i * 18;
      out.push(`<rect x="${LEFT + plotWidth + 14}" y="${ly - 9}" width="12" height="12" fill="${series.color}"/>`);
      out.push(`<text x="${LEFT + plotWidth + 32}" y="${ly + 1}">${escapeXml(series.label)}</text>`);
    });
    out.push('</g>');
  });
  out.push(`<text x="${LEFT + plotWidth / 2}" y="${num(height - 8)}" text-anchor="middle" fill="#555555">seconds since ${escapeXml(new Date(chart.start * 1000).toISOString())}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** "M x y L x y ..." with a new M after each gap; points outside the time range are kept (clipped by the viewer). */
function pathOf(points: Array<[number, number]>, gapSeconds: number, x: (t: number) => number, y: (v: number) => number): string {
  const parts: string[] = [];
  let previous: number | undefined;
  for (const [t, v] of [...points].sort((a, b) => a[0] - b[0])) {
    if (!Number.isFinite(v)) { previous = undefined; continue; }
    const command = previous === undefined || t - previous > gapSeconds ? 'M' : 'L';
    parts.push(`${command}${num(x(t))} ${num(y(v))}`);
    previous = t;
  }
  return parts.join(' ');
}
