import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareApp } from '../helpers/bare-app';
import { seriesOf, touchedMetrics } from '../helpers/metrics-exposition';

/**
 * ops/grafana/thaw.json is the dashboard on-call imports. Every query must name only series thaw
 * serves on /metrics, and only labels those series carry: a renamed metric or label otherwise
 * leaves an empty panel that looks like "nothing happened". The exposition is built as
 * metrics-exposition.test.ts builds it: every metric touched with every label set.
 */

const DASHBOARD = join(__dirname, '..', '..', 'ops', 'grafana', 'thaw.json');
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const PANEL_TYPES = ['timeseries', 'stat', 'gauge'];

interface Target {
  refId?: string;
  expr?: string;
  datasource?: unknown;
}

interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: unknown;
  gridPos?: { h?: number; w?: number; x?: number; y?: number };
  targets?: Target[];
  panels?: Panel[];
}

interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  templating?: { list?: { name?: string; type?: string; query?: string }[] };
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

/** Every panel, rows' nested panels included (a collapsed row holds its panels). */
function allPanels(panels: readonly Panel[] = dashboard.panels ?? []): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const panels = allPanels();
const queryPanels = panels.filter((panel) => panel.type !== 'row');
const exprs = queryPanels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ title: panel.title ?? '?', expr: target.expr ?? '' })),
);

/** Metric names in a PromQL expression: identifiers starting with `thaw_`. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/(?<![\w:$])thaw_[A-Za-z0-9_:]*/g)].map((match) => match[0]);
}

/** The text between the parenthesis at `open` and the one that closes it. */
function balanced(expr: string, open: number): string {
  let depth = 0;
  for (let i = open; i < expr.length; i += 1) {
    if (expr[i] === '(') depth += 1;
    if (expr[i] === ')') depth -= 1;
    if (depth === 0) return expr.slice(open + 1, i);
  }
  throw new Error(`unbalanced parentheses in ${expr}`);
}

/**
 * Each `by (labels)` clause with the metrics of the expression it aggregates. The dashboard writes
 * the clause before its argument (`sum by (le) (rate(...))`); a clause after it, or `without`,
 * would not be checked, so both are refused.
 */
function groupings(expr: string): { labels: string[]; metrics: string[] }[] {
  expect(expr).not.toMatch(/\bwithout\s*\(/);
  expect(expr).not.toMatch(/\)\s*by\s*\(/);
  return [...expr.matchAll(/\bby\s*\(([^)]*)\)\s*\(/g)].map((match) => {
    const open = (match.index ?? 0) + match[0].length - 1;
    return {
      labels: (match[1] ?? '')
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
      metrics: metricNames(balanced(expr, open)),
    };
  });
}

/** Each `metric{label op "value", ...}` selector's label names. */
function matchers(expr: string): { metric: string; labels: string[] }[] {
  return [...expr.matchAll(/(?<![\w:$])(thaw_[A-Za-z0-9_:]*)\s*\{([^}]*)\}/g)].map((match) => ({
    metric: match[1] ?? '',
    labels: [...(match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
      (label) => label[1] ?? '',
    ),
  }));
}

let exposition: Map<string, Set<string>>;

beforeAll(async () => {
  const app = await buildBareApp(touchedMetrics());
  try {
    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    exposition = seriesOf(response.body);
  } finally {
    await app.close();
  }
});

describe('ops/grafana/thaw.json', () => {
  it('is the thaw dashboard with a Prometheus data source variable', () => {
    expect(dashboard.uid).toBe('thaw');
    expect(dashboard.title).toBe('thaw');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating?.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
  });

  it('has panels with unique ids, a title and a position; rows group them', () => {
    expect(queryPanels.length).toBeGreaterThan(0);
    expect(panels.some((panel) => panel.type === 'row')).toBe(true);
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect({ panel: panel.title, hasTitle: typeof panel.title === 'string' && panel.title !== '' }).toEqual(
        {
          panel: panel.title,
          hasTitle: true,
        },
      );
      const { h, w, x, y } = panel.gridPos ?? {};
      expect({ panel: panel.title, gridPos: [h, w, x, y].every(Number.isInteger) }).toEqual({
        panel: panel.title,
        gridPos: true,
      });
      expect((x ?? 0) + (w ?? 0)).toBeLessThanOrEqual(24);
    }
  });

  it('queries the ${datasource} variable from every panel and target', () => {
    for (const panel of queryPanels) {
      expect({ panel: panel.title, type: PANEL_TYPES.includes(panel.type ?? '') }).toEqual({
        panel: panel.title,
        type: true,
      });
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: DATASOURCE,
      });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect({ panel: panel.title, datasource: target.datasource }).toEqual({
          panel: panel.title,
          datasource: DATASOURCE,
        });
        expect(target.expr).toMatch(/thaw_/);
      }
    }
  });

  it('names only series thaw serves on /metrics', () => {
    const unknown = exprs.flatMap(({ title, expr }) =>
      metricNames(expr)
        .filter((name) => !exposition.has(name))
        .map((name) => `${title}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('groups by and matches on labels those series carry', () => {
    const missing: string[] = [];
    for (const { title, expr } of exprs) {
      for (const { labels, metrics } of groupings(expr)) {
        expect({ expr, metrics: metrics.length > 0 }).toEqual({ expr, metrics: true });
        for (const metric of metrics) {
          for (const label of labels) {
            if (!exposition.get(metric)?.has(label)) missing.push(`${title}: by (${label}) on ${metric}`);
          }
        }
      }
      for (const { metric, labels } of matchers(expr)) {
        for (const label of labels) {
          if (!exposition.get(metric)?.has(label)) missing.push(`${title}: {${label}} on ${metric}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('reads the parser above right (a wrong label or name is reported)', () => {
    expect(metricNames('sum(rate(thaw_a_total[$__rate_interval])) / thaw_b')).toEqual([
      'thaw_a_total',
      'thaw_b',
    ]);
    expect(groupings('histogram_quantile(0.5, sum by (le, x) (rate(thaw_h_bucket[5m])))')).toEqual([
      { labels: ['le', 'x'], metrics: ['thaw_h_bucket'] },
    ]);
    expect(matchers('thaw_e_total{outcome=~"a|b", kind!="c"}')).toEqual([
      { metric: 'thaw_e_total', labels: ['outcome', 'kind'] },
    ]);
    expect(exposition.get('thaw_enqueue_duration_seconds_bucket')).toEqual(new Set(['le', 'outcome']));
    expect(exposition.has('thaw_enqueue_duration_seconds')).toBe(false);
  });
});
