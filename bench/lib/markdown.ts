// Pure: scenario reports -> the Markdown table people read (results.md, BENCHMARKS.md). One table
// per scenario: a row per metric, a column per peer, each cell "median (min..max)" over the runs;
// the best median of a row is bold when the metric says which direction is better.
import { formatNumber, summarize } from './stats.js';
import type { Sample, ScenarioReport } from './types.js';

export function renderReportsMarkdown(reports: readonly ScenarioReport[], plotPrefix = ''): string {
  return reports.map((report) => renderReportMarkdown(report, plotPrefix)).join('\n');
}

export function renderReportMarkdown(report: ScenarioReport, plotPrefix = ''): string {
  const lines = [`### ${report.id}. ${report.title}`, ''];
  if (report.samples.length > 0) lines.push(...renderSamplesTable(report.samples), '');
  for (const note of report.notes) lines.push(`- ${note}`);
  if (report.notes.length > 0) lines.push('');
  for (const plot of report.plots) lines.push(`![${escapeCell(plot.title)}](${plotPrefix}${plot.file})`, '');
  return lines.join('\n');
}

/** Rows keep the order in which metrics first appear, columns the order in which peers do. */
export function renderSamplesTable(samples: readonly Sample[]): string[] {
  const peers = unique(samples.map((s) => s.peer));
  const metrics = unique(samples.map((s) => s.metric));
  const lines = [
    `| Metric | Goal | ${peers.map(escapeCell).join(' | ')} |`,
    `|---|---|${peers.map(() => '---:').join('|')}|`,
  ];
  for (const metric of metrics) {
    const row = samples.filter((s) => s.metric === metric);
    const first = row[0]!;
    const medians = new Map(row.map((s) => [s.peer, summarize(s.values).median]));
    const best = bestPeer(medians, first.better);
    const cells = peers.map((peer) => {
      const sample = row.find((s) => s.peer === peer);
      if (!sample) return '';
      const cell = formatCell(sample);
      return peer === best ? `**${cell}**` : cell;
    });
    lines.push(`| ${escapeCell(`${metric} (${first.unit})`)} | ${escapeCell(first.goal ?? '')} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** "12.3 (11.9..13.0)"; "never" when no run had a value; "+ never x1" when some had none. */
export function formatCell(sample: Sample): string {
  const s = summarize(sample.values);
  if (s.n === 0) return sample.values.length === 0 ? '' : 'never';
  const spread = s.n > 1 ? ` (${formatNumber(s.min)}..${formatNumber(s.max)})` : '';
  const never = s.missing > 0 ? `, never x${s.missing}` : '';
  return `${formatNumber(s.median)}${spread}${never}`;
}

function bestPeer(medians: Map<string, number>, better: Sample['better']): string | undefined {
  if (!better || medians.size < 2) return undefined;
  let best: [string, number] | undefined;
  for (const [peer, value] of medians) {
    if (!Number.isFinite(value)) continue;
    if (!best || (better === 'lower' ? value < best[1] : value > best[1])) best = [peer, value];
  }
  return best?.[0];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Replaces what stands between the two markers (kept), or throws when they are missing. */
export function replaceBetweenMarkers(text: string, start: string, end: string, content: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`markers ${start} ... ${end} not found`);
  return `${text.slice(0, from + start.length)}\n${content.trim()}\n${text.slice(to)}`;
}
