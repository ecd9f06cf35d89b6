import { spawnSync } from 'node:child_process';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Summary } from 'prom-client';
import type { Registry } from 'prom-client';
import { createMetrics } from '../../src/observability/metrics';
import type { Metrics } from '../../src/observability/metrics';
import { registerQueueMetrics } from '../../src/observability/queue-metrics';

/**
 * thaw's real /metrics exposition with every metric and label present, for the tests that check
 * it (metrics-exposition), and the dashboard and alert rules that read it, against Prometheus.
 */

/** Queues as registerQueueMetrics reads them, without Redis. */
export const fakeQueues = ['restore-events', 'notifications', 'maintenance'].map(
  (name) =>
    ({
      name,
      getJobCounts: async () => ({ waiting: 2, active: 1, delayed: 0, failed: 0, completed: 5 }),
      getJobs: async () => [{ timestamp: Date.now() - 1500 }],
    }) as unknown as Queue,
);

/**
 * Gives every metric of the registry a sample with every label set to `labelValue`, so each name,
 * type and label set is in the exposition. prom-client does not type `labelNames`; it is read
 * from the instance.
 */
export function touchEveryMetric(registry: Registry, labelValue = 'x'): void {
  for (const metric of registry.getMetricsAsArray()) {
    const names = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    const labels = Object.fromEntries(names.map((name) => [name, labelValue]));
    if (metric instanceof Counter) metric.inc(labels);
    else if (metric instanceof Gauge) metric.set(labels, 1);
    else if (metric instanceof Histogram || metric instanceof Summary) metric.observe(labels, 0.42);
  }
}

/** thaw's metrics, queue gauges included, each with a sample (see touchEveryMetric). */
export function touchedMetrics(labelValue = 'x'): Metrics {
  const metrics = createMetrics();
  registerQueueMetrics(metrics.registry, fakeQueues);
  touchEveryMetric(metrics.registry, labelValue);
  return metrics;
}

/** Series name → label names, from a text exposition (`name{a="1",b="2"} value`). */
export function seriesOf(exposition: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!match) throw new Error(`cannot parse exposition line: ${line}`);
    const labels = series.get(match[1] ?? '') ?? new Set<string>();
    for (const label of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="(?:[^"\\]|\\.)*"/g)) {
      labels.add(label[1] ?? '');
    }
    series.set(match[1] ?? '', labels);
  }
  return series;
}

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/**
 * Runs Debian's promtool (or PROMTOOL). Without it the calling test fails with how to get it: the
 * checks are Prometheus' own and do not skip.
 */
export function promtool(
  args: readonly string[],
  options: { input?: string; cwd?: string } = {},
): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, args, { ...options, encoding: 'utf8' });
  if (run.error) {
    throw new Error(
      `cannot run \`${PROMTOOL}\` (${run.error.message}): install it (Debian: apt-get install prometheus), ` +
        'or point PROMTOOL at it. These tests check with Prometheus itself and do not skip.',
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}
