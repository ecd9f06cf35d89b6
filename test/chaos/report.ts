import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Each scenario appends its figures to test/artifacts/chaos-results.jsonl; `npm run chaos`
 * prints them as the table in docs/RELIABILITY.md.
 */
export function recordScenario(scenario: string, figures: Record<string, unknown>): void {
  const dir = join(__dirname, '..', 'artifacts');
  mkdirSync(dir, { recursive: true });
  appendFileSync(
    join(dir, 'chaos-results.jsonl'),
    `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures })}\n`,
  );
}
