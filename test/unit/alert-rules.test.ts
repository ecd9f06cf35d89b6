import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { promtool, seriesOf, touchedMetrics } from '../helpers/metrics-exposition';

/**
 * ops/prometheus/thaw-rules.yml, the alerts shipped for Prometheus: it must pass `promtool check
 * rules`, its unit tests (ops/prometheus/thaw-rules.test.yml) must pass `promtool test rules`,
 * every alert must have a test case where it fires, and every metric and label it reads must be
 * one thaw exports. promtool comes from Debian's `prometheus` package; without it this test
 * fails, it does not skip.
 */

const ROOT = join(__dirname, '..', '..');
const RULES = 'ops/prometheus/thaw-rules.yml';
const RULE_TESTS = 'ops/prometheus/thaw-rules.test.yml';

/** The alerts, exactly: a new one belongs here, in the rules and in their tests. */
const ALERTS = [
  'ThawSnsVerificationFailures',
  'ThawQueueBacklogGrowing',
  'ThawQueueOldestJobTooOld',
  'ThawSendingPaused',
  'ThawBounceRateHigh',
  'ThawComplaintRateHigh',
  'ThawNotificationsFailing',
  'ThawReconcilerRecoveredLostEvents',
  'ThawRestoresNeverStarted',
  'ThawRedisEvictionPolicy',
];

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}
interface RuleTestFile {
  rule_files: string[];
  tests: {
    name?: string;
    alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: unknown[] | null }[];
  }[];
}

const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const rules = (): AlertRule[] => (parse(read(RULES)) as RuleFile).groups.flatMap((group) => group.rules);

function runPromtool(...args: string[]): { status: number | null; output: string } {
  return promtool(args, { cwd: ROOT });
}

/** Expects exit status 0, with promtool's output in the failure message. */
function expectSuccess(run: { status: number | null; output: string }): void {
  if (run.status !== 0) throw new Error(`promtool exited with ${run.status}:\n${run.output}`);
}

describe(RULES, () => {
  it('passes `promtool check rules`', () => {
    const run = runPromtool('check', 'rules', RULES);
    expectSuccess(run);
    expect(run.output).toContain(`SUCCESS: ${ALERTS.length} rules found`);
  });

  // Some cases replay 30 hours of one-minute samples: about 10 s, more on a loaded machine.
  it('passes its unit tests, `promtool test rules`', () => {
    expectSuccess(runPromtool('test', 'rules', RULE_TESTS));
  }, 120_000);

  it('has exactly the alerts listed here, each with severity, summary, description and runbook', () => {
    const all = rules();
    expect(all.map((rule) => rule.alert).sort()).toEqual([...ALERTS].sort());
    for (const rule of all) {
      const name = rule.alert ?? '';
      expect({ name, severity: rule.labels?.severity }).toEqual({
        name,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect({ name, annotations: Object.keys(rule.annotations ?? {}).sort() }).toEqual({
        name,
        annotations: ['description', 'runbook_url', 'summary'],
      });
      expect(rule.annotations?.runbook_url).toBe(`docs/OPERATIONS.md#${name.toLowerCase()}`);
    }
  });

  it('has a test case where each alert fires and one where it does not', () => {
    const tests = parse(read(RULE_TESTS)) as RuleTestFile;
    expect(tests.rule_files).toEqual(['thaw-rules.yml']);
    const cases = tests.tests.flatMap((test) => test.alert_rule_test ?? []);
    const fires = new Set(cases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname));
    const stays = new Set(cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname));
    const missing = ALERTS.filter((alert) => !fires.has(alert) || !stays.has(alert)).map(
      (alert) =>
        `${alert}:${fires.has(alert) ? '' : ' no firing case'}${stays.has(alert) ? '' : ' no quiet case'}`,
    );
    expect(missing).toEqual([]);
  });

  it('reads only metrics and labels thaw exports', async () => {
    const exported = seriesOf(await touchedMetrics().registry.metrics());
    const problems: string[] = [];
    for (const rule of rules()) {
      // Selectors: a metric name, optionally followed by {label matchers}.
      for (const [, metric = '', matchers = ''] of rule.expr.matchAll(/\b(thaw_[a-z_]+)(?:\{([^}]*)\})?/g)) {
        const labels = exported.get(metric) ?? exported.get(metric.replace(/_(bucket|sum|count)$/, ''));
        if (!labels) {
          problems.push(`${rule.alert}: ${metric} is not in /metrics`);
          continue;
        }
        for (const [, label = ''] of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
          if (!labels.has(label)) problems.push(`${rule.alert}: ${metric} has no label ${label}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
