import { spawnSync } from 'node:child_process';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Summary } from 'prom-client';
import type { Registry } from 'prom-client';
import { createMetrics } from '../../src/observability/metrics';
import { registerQueueMetrics } from '../../src/observability/queue-metrics';
import { buildBareApp } from '../helpers/bare-app';

/**
 * GET /metrics is read by Prometheus: what it serves must pass `promtool check metrics` (naming,
 * types, help, exposition syntax) without a single complaint. promtool comes from Debian's
 * `prometheus` package; without it this test fails, it does not skip.
 */

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** A label value that needs every escape the text format has. */
const AWKWARD = 'say "hi" \\ then\nleave';

/**
 * Gives every metric of the registry a sample with every label set, so each name, type and label
 * set is in the exposition. prom-client does not type `labelNames`; it is read from the instance.
 */
function touchEveryMetric(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray()) {
    const names = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    const labels = Object.fromEntries(names.map((name) => [name, AWKWARD]));
    if (metric instanceof Counter) metric.inc(labels);
    else if (metric instanceof Gauge) metric.set(labels, 1);
    else if (metric instanceof Histogram || metric instanceof Summary) metric.observe(labels, 0.42);
  }
}

/** Queues as registerQueueMetrics reads them, without Redis. */
const fakeQueues = ['restore-events', 'notifications'].map(
  (name) =>
    ({
      name,
      getJobCounts: async () => ({ waiting: 2, active: 1, delayed: 0, failed: 0, completed: 5 }),
      getJobs: async () => [{ timestamp: Date.now() - 1500 }],
    }) as unknown as Queue,
);

function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error) {
    throw new Error(
      `cannot run \`${PROMTOOL}\` (${run.error.message}): install it (Debian: apt-get install prometheus), ` +
        'or point PROMTOOL at it. This test checks /metrics against Prometheus itself and does not skip.',
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe('GET /metrics', () => {
  it('passes `promtool check metrics` with every metric and label present', async () => {
    const metrics = createMetrics();
    registerQueueMetrics(metrics.registry, fakeQueues);
    touchEveryMetric(metrics.registry);
    const app = await buildBareApp(metrics);
    try {
      const response = await app.inject({ url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.body).toContain('thaw_queue_jobs{');
      expect(response.body).toContain('thaw_nodejs_active_handles{');
      expect(promtoolCheck(response.body)).toEqual({ status: 0, output: '' });
    } finally {
      await app.close();
    }
  });

  it('has no gauge named like a counter (the check above can fail)', () => {
    const bad = '# HELP x_total A gauge.\n# TYPE x_total gauge\nx_total 1\n';
    expect(promtoolCheck(bad).output).toMatch(/non-counter metrics should not have "_total" suffix/);
  });
});
