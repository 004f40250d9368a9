// Metric names a PromQL expression reads, and the PromQL of the Grafana dashboard and the rule
// files, with Grafana's variables replaced so a real Prometheus can run it. Prometheus 2.42 has
// no parse endpoint: tests send every expression to a real Prometheus (which rejects bad ones)
// and use metricNamesIn to check the names exist.

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan', 'start', 'end']);

/** Names of the series an expression selects: `rate(foo_total{a="b"}[5m]) / bar` -> foo_total, bar. */
export function metricNamesIn(expr: string): string[] {
  let text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  text = text.replace(/#[^\n]*/g, ' ');
  // {__name__="x"} selects x too.
  const byName = [...expr.matchAll(/__name__\s*=\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/g)].map((m) => m[1]!);
  text = text.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ');
  const names = new Set(byName);
  const tokens = text.matchAll(/[0-9][0-9.]*(?:e[+-]?[0-9]+)?[a-zA-Z]*|[a-zA-Z_:][a-zA-Z0-9_:]*/g);
  for (const match of tokens) {
    const token = match[0];
    if (/^[0-9]/.test(token)) continue;
    if (AGGREGATIONS.has(token) || KEYWORDS.has(token.toLowerCase())) continue;
    const after = text.slice(match.index! + token.length);
    if (/^\s*\(/.test(after)) continue; // a function call
    names.add(token);
  }
  return [...names].sort();
}

/** Grafana's variables with values a test can run: every BalancedService, a 1 minute window. */
export function substituteGrafanaVariables(expr: string, values: Record<string, string> = {}): string {
  const all: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m', balancedservice: '.*', datasource: 'prometheus', ...values };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, plain: string | undefined) => {
    const name = (braced ?? plain)!;
    if (!(name in all)) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
    return all[name]!;
  });
}

export interface DashboardQuery { where: string; expr: string }

interface GrafanaTarget { expr?: string; refId?: string }
interface GrafanaPanel { title?: string; type?: string; targets?: GrafanaTarget[]; panels?: GrafanaPanel[] }
interface GrafanaDashboard {
  panels?: GrafanaPanel[];
  annotations?: { list?: Array<{ name?: string; expr?: string }> };
  templating?: { list?: Array<{ name?: string; query?: unknown; definition?: string }> };
}

/** Every PromQL expression of a dashboard: panel targets (rows included) and annotations. */
export function dashboardQueries(dashboard: GrafanaDashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (panels: GrafanaPanel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr) out.push({ where: `panel "${panel.title}" ${target.refId ?? ''}`.trim(), expr: target.expr });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr) out.push({ where: `annotation "${annotation.name}"`, expr: annotation.expr });
  }
  return out;
}

/** label_values(metric, label) of the template variables: metric names they read. */
export function variableMetricNames(dashboard: GrafanaDashboard): string[] {
  const names: string[] = [];
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: string } | undefined)?.query;
    const match = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query ?? '');
    if (match) names.push(match[1]!);
  }
  return names;
}

/** Names of the samples in a Prometheus text exposition. */
export function sampleNamesIn(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/** Names a text exposition can have samples under: its samples, and each # TYPE'd family (histograms and summaries with their _bucket/_sum/_count). */
export function exposedNamesIn(exposition: string): Set<string> {
  const names = sampleNamesIn(exposition);
  for (const match of exposition.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}
