// The Grafana dashboard (deploy/grafana/gateway.json) queries metrics by name,
// and Prometheus answers a misspelled name or label with an empty graph, not an
// error. So every name and label its PromQL uses is checked against a real
// registry, the one the gateway serves on /metrics.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayMetrics } from '../../src/observability/metrics.ts';

interface Target {
  readonly expr?: string;
}

interface Panel {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly targets?: readonly Target[];
  /** A collapsed row holds its panels. */
  readonly panels?: readonly Panel[];
}

interface Variable {
  readonly name: string;
  readonly type: string;
  readonly definition?: string;
  readonly query?: string | { readonly query?: string };
}

interface Dashboard {
  readonly panels?: readonly Panel[];
  readonly templating?: { readonly list?: readonly Variable[] };
}

/** One exported series name (`x_bucket`, `x_sum`…) and the labels it may carry. */
interface ExportedSeries {
  readonly family: string;
  readonly labelNames: ReadonlySet<string>;
}

/** The gateway's own families, as named in the contract (§6). */
const gatewayFamilies = [
  'graphql_operations_total',
  'graphql_operation_duration_seconds',
  'graphql_errors_total',
  'upstream_requests_total',
  'upstream_request_duration_seconds',
  'upstream_retries_total',
  'upstream_requests_in_flight',
  'upstream_response_bytes_total',
  'upstream_calls_per_operation',
  'upstream_call_limit_exceeded_total',
];

/** Prometheus attaches these to every scraped series. */
const targetLabels = ['job', 'instance'];

const promqlKeywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
]);

const dashboardPath = fileURLToPath(new URL('../../deploy/grafana/gateway.json', import.meta.url));
const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;
const panels = (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const graphPanels = panels.filter((panel) => panel.type !== 'row');
const panelExprs = graphPanels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));

/** `label_values(selector, label)` of each query variable, split into its selector and label. */
const variableQueries = (dashboard.templating?.list ?? [])
  .filter((variable) => variable.type === 'query')
  .map((variable) => {
    const query = variable.definition ?? (typeof variable.query === 'string' ? variable.query : variable.query?.query);
    const match = /^\s*label_values\((.+),\s*([a-zA-Z_]\w*)\s*\)\s*$/.exec(query ?? '');
    return { name: variable.name, selector: match?.[1] ?? '', label: match?.[2] ?? '' };
  });

/** Strings and Grafana variables removed, so neither can pass for a name or hide a parenthesis. */
function withoutLiterals(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+|\[\[\w+\]\]/g, ' ');
}

/** Identifiers not directly followed by `(` (functions) and not keywords; numbers and durations are skipped by the lookbehind. */
function bareIdentifiers(text: string): string[] {
  return [...text.matchAll(/(?<![\w.:$])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)]
    .map((match) => match[1] as string)
    .filter((name) => !promqlKeywords.has(name.toLowerCase()));
}

/** Every metric name an expression selects, once per occurrence. */
function metricOccurrences(expr: string): string[] {
  const names = withoutLiterals(expr)
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  return bareIdentifiers(names);
}

function metricNames(expr: string): string[] {
  return [...new Set(metricOccurrences(expr))];
}

/** The text of the parenthesised group opening at `open`, or ending at `close`. */
function groupFrom(text: string, open: number): string {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '(') depth++;
    if (text[index] === ')' && --depth === 0) return text.slice(open, index + 1);
  }
  return text.slice(open);
}

function groupUntil(text: string, close: number): string {
  let depth = 0;
  for (let index = close; index >= 0; index--) {
    if (text[index] === ')') depth++;
    if (text[index] === '(' && --depth === 0) return text.slice(index, close + 1);
  }
  return text.slice(0, close + 1);
}

/** Each label an expression names, paired with the metric it must be on. */
function labelUses(expr: string): { metric: string; label: string }[] {
  const text = withoutLiterals(expr);
  const uses: { metric: string; label: string }[] = [];
  for (const match of text.matchAll(/(?<![\w.:$])([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)) {
    for (const label of (match[2] as string).matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
      uses.push({ metric: match[1] as string, label: label[1] as string });
    }
  }
  // `sum by (l) (x)` groups what follows it, `sum (x) by (l)` what precedes the aggregator's name.
  for (const match of text.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/gi)) {
    const after = match.index + match[0].length;
    const next = text.slice(after).search(/\S/);
    const before = text.slice(0, match.index).trimEnd();
    const aggregated =
      next >= 0 && text[after + next] === '(' ? groupFrom(text, after + next) : groupUntil(before, before.length - 1);
    const labels = (match[1] as string)
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean);
    for (const metric of metricNames(aggregated)) {
      for (const label of labels) uses.push({ metric, label });
    }
  }
  return uses;
}

async function exportedSeries(registry: Registry): Promise<Map<string, ExportedSeries>> {
  const series = new Map<string, ExportedSeries>();
  for (const metric of await registry.getMetricsAsJSON()) {
    // prom-client keeps label names on the metric object, though its typings do not say so.
    const declared = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: readonly string[] })
      .labelNames;
    const labels = (...extra: string[]) => ({
      family: metric.name,
      labelNames: new Set([...(declared ?? []), ...targetLabels, ...extra]),
    });
    // The typings say a numeric enum; at run time the type is its name.
    const type = String(metric.type);
    if (type === 'histogram') {
      series.set(`${metric.name}_bucket`, labels('le'));
      series.set(`${metric.name}_sum`, labels());
      series.set(`${metric.name}_count`, labels());
    } else if (type === 'summary') {
      series.set(metric.name, labels('quantile'));
      series.set(`${metric.name}_sum`, labels());
      series.set(`${metric.name}_count`, labels());
    } else {
      series.set(metric.name, labels());
    }
  }
  return series;
}

function unexportedMetrics(exprs: readonly string[], exported: ReadonlyMap<string, ExportedSeries>): string[] {
  return [...new Set(exprs.flatMap(metricNames))].filter((name) => !exported.has(name));
}

function undeclaredLabels(
  uses: readonly { metric: string; label: string }[],
  exported: ReadonlyMap<string, ExportedSeries>,
): string[] {
  return uses
    .filter(({ metric, label }) => exported.get(metric)?.labelNames.has(label) === false)
    .map(({ metric, label }) => `${metric}: ${label}`);
}

describe('the Grafana dashboard', () => {
  let registry: Registry;
  let exported: Map<string, ExportedSeries>;

  beforeAll(async () => {
    registry = createGatewayMetrics({ maxOperationNames: 100, processMetrics: true }).registry;
    exported = await exportedSeries(registry);
  });

  // The default metrics' event-loop monitor is not needed past this file.
  afterAll(() => registry.clear());

  it('has panels, each with a title, a description and a PromQL target', () => {
    expect(graphPanels.length).toBeGreaterThan(0);
    for (const panel of panels) expect(panel.title, JSON.stringify(panel)).toBeTruthy();
    for (const panel of graphPanels) {
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr?.trim(), panel.title).toBeTruthy();
    }
  });

  it('queries only metrics the gateway exports', () => {
    const exprs = [...panelExprs, ...variableQueries.map((query) => query.selector)];
    expect(exprs.flatMap(metricNames).length).toBeGreaterThan(0);
    expect(unexportedMetrics(exprs, exported)).toEqual([]);
  });

  it("uses each of the gateway's own metric families", () => {
    const used = new Set(panelExprs.flatMap(metricNames).map((name) => exported.get(name)?.family));
    expect(gatewayFamilies.filter((family) => !used.has(family))).toEqual([]);
  });

  it('groups and filters only by labels the metrics carry', () => {
    const uses = [
      ...panelExprs.flatMap(labelUses),
      ...variableQueries.flatMap((query) => [
        ...labelUses(query.selector),
        ...metricNames(query.selector).map((metric) => ({ metric, label: query.label })),
      ]),
    ];
    expect(uses.length).toBeGreaterThan(0);
    expect(undeclaredLabels(uses, exported)).toEqual([]);
  });

  it('has every variable query in the label_values(selector, label) form', () => {
    for (const query of variableQueries) {
      expect(query.selector, query.name).not.toBe('');
      expect(query.label, query.name).not.toBe('');
    }
  });

  it('filters every selector by the job and instance variables', () => {
    for (const expr of panelExprs) {
      const filtered = (expr.match(/\{[^}]*\}/g) ?? []).filter(
        (matchers) => matchers.includes('job=~"$job"') && matchers.includes('instance=~"$instance"'),
      );
      expect(filtered.length, expr).toBe(metricOccurrences(expr).length);
    }
  });

  // The checks above would pass on an extractor that finds nothing.
  it('has an extractor that finds names and reports misspelled ones', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, operation_type) (rate(graphql_operation_duration_secnds_bucket{job=~"$job", code!="a{b}"}[$__rate_interval] offset 5m))) > 1e3 and on (instance) sum(up) without (x) / $scale';
    expect(metricNames(expr)).toEqual(['graphql_operation_duration_secnds_bucket', 'up']);
    expect(unexportedMetrics([expr], exported)).toEqual(['graphql_operation_duration_secnds_bucket', 'up']);
    expect(labelUses(expr)).toEqual([
      { metric: 'graphql_operation_duration_secnds_bucket', label: 'job' },
      { metric: 'graphql_operation_duration_secnds_bucket', label: 'code' },
      { metric: 'graphql_operation_duration_secnds_bucket', label: 'le' },
      { metric: 'graphql_operation_duration_secnds_bucket', label: 'operation_type' },
      { metric: 'up', label: 'x' },
    ]);
    expect(
      undeclaredLabels(
        labelUses('sum(rate(graphql_operations_total{outcom="ok"}[5m])) by (opration_type, le, instance)'),
        exported,
      ),
    ).toEqual([
      'graphql_operations_total: outcom',
      'graphql_operations_total: opration_type',
      'graphql_operations_total: le',
    ]);
  });
});
