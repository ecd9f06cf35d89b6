#!/usr/bin/env node
// Prints the fault-injection results (test/artifacts/chaos-results.jsonl) as the Markdown table
// of docs/RELIABILITY.md: one row per scenario, runs summed.
import { readFileSync } from 'node:fs';

const rows = readFileSync(new URL('../test/artifacts/chaos-results.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const scenarios = new Map();
for (const row of rows) {
  if (row.cases) continue;
  const entry = scenarios.get(row.scenario) ?? {
    runs: 0,
    expected: 0,
    delivered: 0,
    duplicated: 0,
    lost: 0,
    notes: [],
  };
  entry.runs += row.runs;
  entry.expected += row.expected;
  entry.delivered += row.delivered;
  entry.duplicated += row.duplicated;
  entry.lost += row.lost;
  if (row.note) entry.notes.push(row.note);
  scenarios.set(row.scenario, entry);
}
console.log('| scenario | runs | expected | delivered | duplicated | lost | notes |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const [name, e] of scenarios) {
  console.log(
    `| ${name} | ${e.runs} | ${e.expected} | ${e.delivered} | ${e.duplicated} | ${e.lost} | ${e.notes.join('; ')} |`,
  );
}
for (const row of rows.filter((r) => r.cases)) {
  const statuses = Object.entries(row.byStatus)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  console.log(
    `\nHostile SNS body corpus: ${row.cases} cases (${statuses}); answered other than expected: ${row.wrong}.`,
  );
}
