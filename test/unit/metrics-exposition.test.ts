import { buildBareApp } from '../helpers/bare-app';
import { promtool, touchedMetrics } from '../helpers/metrics-exposition';

/**
 * GET /metrics is read by Prometheus: what it serves must pass `promtool check metrics` (naming,
 * types, help, exposition syntax) without a single complaint. promtool comes from Debian's
 * `prometheus` package; without it this test fails, it does not skip.
 */

/** A label value that needs every escape the text format has. */
const AWKWARD = 'say "hi" \\ then\nleave';

function promtoolCheck(exposition: string): { status: number | null; output: string } {
  return promtool(['check', 'metrics'], { input: exposition });
}

describe('GET /metrics', () => {
  it('passes `promtool check metrics` with every metric and label present', async () => {
    const app = await buildBareApp(touchedMetrics(AWKWARD));
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
