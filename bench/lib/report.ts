/**
 * The bench's output: one table (figure, measurement, result, detail) and one summary line per
 * figure. Results are informative: a missed goal is printed, never turned into a failure.
 */
export interface Row {
  readonly figure: string;
  readonly measurement: string;
  readonly result: string;
  readonly detail: string;
}

export interface Report {
  row(figure: string, measurement: string, result: string, detail?: string): void;
  /** The figure's one summary line, e.g. `ingest/queue-ceiling 0.62 (…)`. */
  summary(line: string): void;
  readonly rows: readonly Row[];
  readonly summaries: readonly string[];
}

export function createReport(): Report {
  const rows: Row[] = [];
  const summaries: string[] = [];
  return {
    row(figure, measurement, result, detail = '') {
      rows.push({ figure, measurement, result, detail });
    },
    summary(line) {
      summaries.push(line);
    },
    rows,
    summaries,
  };
}

const HEADINGS: Row = { figure: 'figure', measurement: 'measurement', result: 'result', detail: 'detail' };
const COLUMNS = ['figure', 'measurement', 'result', 'detail'] as const;

/** A plain-text table with aligned columns (results right-aligned). */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADINGS, ...rows];
  const widths = COLUMNS.map((column) => Math.max(...all.map((row) => row[column].length)));
  const line = (row: Row) =>
    COLUMNS.map((column, index) => {
      const width = widths[index] ?? 0;
      return column === 'result' ? row[column].padStart(width) : row[column].padEnd(width);
    })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(HEADINGS), rule, ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for docs/PERFORMANCE.md. */
export function markdownTable(rows: readonly Row[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| figure | measurement | result | detail |',
    '| --- | --- | ---: | --- |',
    ...rows.map((row) => `| ${COLUMNS.map((column) => escape(row[column])).join(' | ')} |`),
  ].join('\n');
}

// Formatting: every number in the report goes through one of these.

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function perSecond(value: number, unit = '/s'): string {
  return `${count(value)}${unit}`;
}

export function milliseconds(value: number): string {
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}

export function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

export function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)} KB`;
}

/** A CPU time, e.g. `412 µs` or `2.10 ms`; `n/a` when it could not be read. */
export function cpuTime(seconds: number | undefined): string {
  if (seconds === undefined) return 'n/a';
  return seconds < 0.001 ? `${Math.round(seconds * 1e6)} µs` : `${(seconds * 1000).toFixed(2)} ms`;
}

export function percent(share: number | undefined): string {
  return share === undefined ? 'n/a' : `${Math.round(share * 100)}%`;
}

export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** `goal ≥ 0.75×: met` — the goals, printed next to each figure for information only. */
export function goal(text: string, met: boolean): string {
  return `goal ${text}: ${met ? 'met' : 'not met'}`;
}
