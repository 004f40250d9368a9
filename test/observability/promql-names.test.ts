import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardQueries, exposedNamesIn, metricNamesIn, sampleNamesIn, substituteGrafanaVariables, variableMetricNames } from './promql-names.js';

test('metricNamesIn finds selected series and skips functions, aggregations, labels, keywords and durations', () => {
  const cases: Array<[string, string[]]> = [
    ['up', ['up']],
    ['rate(foo_total{a="b", c=~"rate(x)"}[5m])', ['foo_total']],
    ['sum by (instance, job) (rate(a_total[1m])) / ignoring (instance) group_left sum by (job) (rate(a_total[1m]))', ['a_total']],
    ['histogram_quantile(0.95, sum by (le) (rate(d_seconds_bucket{job="x"}[$__rate_interval])))', ['d_seconds_bucket']],
    ['x > 0 and on (svc) y == 0 unless z offset 10m', ['x', 'y', 'z']],
    ['max by (i) (s{state="maint"} + ignoring (state) 2 * s{state="drain"})', ['s']],
    ['{__name__="named_metric", job="a"}', ['named_metric']],
    ['changes(t[5m]) > bool 0', ['t']],
    ['sum without (le) (q) * 1e3 + count(r) - vector(0) + time()', ['q', 'r']],
    ['a:recorded:rate5m # a comment with words', ['a:recorded:rate5m']],
  ];
  for (const [expr, names] of cases) assert.deepEqual(metricNamesIn(expr), names, expr);
});

test('substituteGrafanaVariables replaces known variables and refuses unknown ones', () => {
  assert.equal(substituteGrafanaVariables('rate(x{s=~"$balancedservice"}[$__rate_interval])'), 'rate(x{s=~".*"}[1m])');
  assert.equal(substituteGrafanaVariables('x{s=~"${balancedservice}"}', { balancedservice: 'e2e' }), 'x{s=~"e2e"}');
  assert.throws(() => substituteGrafanaVariables('x{a="$nope"}'), /unknown Grafana variable \$nope/);
});

test('dashboardQueries walks panels, rows and annotations; variableMetricNames reads label_values', () => {
  const dashboard = {
    panels: [
      { title: 'A', targets: [{ refId: 'A', expr: 'a' }, { refId: 'B', expr: 'b' }] },
      { title: 'row', type: 'row', panels: [{ title: 'C', targets: [{ refId: 'A', expr: 'c' }] }] },
      { title: 'text', type: 'text' },
    ],
    annotations: { list: [{ name: 'builtin' }, { name: 'M', expr: 'm' }] },
    templating: { list: [{ name: 'ds', query: 'prometheus' }, { name: 'v', query: { query: 'label_values(v_metric, l)' } }, { name: 'w', query: 'label_values(w_metric,l)' }] },
  };
  assert.deepEqual(dashboardQueries(dashboard).map((q) => `${q.where}: ${q.expr}`), ['panel "A" A: a', 'panel "A" B: b', 'panel "C" A: c', 'annotation "M": m']);
  assert.deepEqual(variableMetricNames(dashboard), ['v_metric', 'w_metric']);
});

test('sampleNamesIn reads sample lines only', () => {
  const text = '# HELP a_total x\n# TYPE a_total counter\na_total{x="1"} 2\nb 3\nc_bucket{le="+Inf"} 1\n';
  assert.deepEqual([...sampleNamesIn(text)].sort(), ['a_total', 'b', 'c_bucket']);
});

test('exposedNamesIn adds the series of # TYPE families, with histogram and summary suffixes', () => {
  const text = '# TYPE h_seconds histogram\n# TYPE s summary\n# TYPE g gauge\n# TYPE c_total counter\nc_total 1\n';
  assert.deepEqual([...exposedNamesIn(text)].sort(), ['c_total', 'g', 'h_seconds', 'h_seconds_bucket', 'h_seconds_count', 'h_seconds_sum', 's', 's_count', 's_sum']);
});
