import type { BenchContext } from '../lib/context';
import { servingWithSesEmulator } from '../lib/deployments';
import { startOtlpSink } from '../lib/otlp-sink';
import type { OtlpSink } from '../lib/otlp-sink';
import type { PipelinePools, PipelineRun } from '../lib/pipeline-run';
import { median, medianOf } from '../lib/median';
import { measurePipeline } from './pipeline';
import { count, cpuTime, kilobytes, perSecond, ratio } from '../lib/report';

/** What the sink received during one tracing-on run, from registration done to thaw stopped. */
interface Exported {
  readonly exports: number;
  readonly bytes: number;
  /** Events posted in that stretch: warm-up and measured. */
  readonly events: number;
}

/** One way of running thaw in the figure: its label and its extra environment. */
interface Variant {
  readonly label: string;
  readonly traced: boolean;
  readonly env: (sink: OtlpSink) => Record<string, string>;
}

const VARIANTS: readonly Variant[] = [
  { label: 'tracing off', traced: false, env: () => ({}) },
  {
    label: 'tracing on',
    traced: true,
    env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_SERVICE_NAME: 'thaw-bench' }),
  },
  {
    // Redis commands are most of a trace's spans: the cheaper setting an operator can choose.
    label: 'tracing on, no Redis spans',
    traced: true,
    env: (sink) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
      OTEL_SERVICE_NAME: 'thaw-bench',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'ioredis',
    }),
  },
];

interface Measured {
  readonly runs: PipelineRun[];
  readonly exported: Exported[];
}

/**
 * Tracing (issue 17): what OpenTelemetry tracing costs. Pipeline run (b) — `node dist/main.js
 * serve` → aws-ses-v2-local — with tracing off (no OTEL_* variables, as every other figure runs
 * thaw), on (`OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a loopback sink in the bench process:
 * OTLP/HTTP, protobuf, every trace sampled, thaw's defaults), and on without the ioredis
 * instrumentation. Run (b), not (a): tracing starts in main() only, and run (a)'s program
 * (bench/children/thaw-process.js) calls start() without it, so with OTEL_* set it would export
 * nothing. The variants take turns, `tracingRounds` times each, on fresh prefixes and the same
 * pools; medians are reported, so background load hits them alike.
 */
export async function tracingFigure(context: BenchContext, pools: PipelinePools): Promise<void> {
  const sink = await startOtlpSink(context.resources);
  const variants = context.sizes.tracingWithoutRedis ? VARIANTS : VARIANTS.slice(0, 2);
  const measured = variants.map((): Measured => ({ runs: [], exported: [] }));
  try {
    for (let round = 1; round <= context.sizes.tracingRounds; round += 1) {
      for (const [index, variant] of variants.entries()) {
        const label = `${variant.label.replace(/\W+/g, '-')}-${round}`;
        const into = measured[index]!;
        if (!variant.traced) {
          into.runs.push(await measure(context, label, pools, variant.env(sink)));
          continue;
        }
        const traced = await measureTraced(context, label, pools, sink, variant.env(sink));
        into.runs.push(traced.run);
        into.exported.push(traced.exported);
      }
    }
  } finally {
    await sink.stop();
  }
  report(context, variants, measured);
}

/**
 * One tracing-on run. Counts what the sink receives from registration done (the warm-up starts)
 * until thaw has stopped (its last releaser flushes the spans still buffered). Spans leave in
 * batches (every 5 s or 512 spans), so a tail of the registrations' spans may be counted too: the
 * figure errs on the side of a higher cost.
 */
async function measureTraced(
  context: BenchContext,
  label: string,
  pools: PipelinePools,
  sink: OtlpSink,
  env: Record<string, string>,
): Promise<{ run: PipelineRun; exported: Exported }> {
  let before = sink.counts();
  const run = await measure(context, label, pools, env, () => (before = sink.counts()));
  const after = sink.counts();
  const exported = {
    exports: after.exports - before.exports,
    bytes: after.bytes - before.bytes,
    events: pools.events.length,
  };
  // No export means thaw ran untraced: the "on" row would be a second "off" row under a false name.
  if (exported.exports === 0) {
    throw new Error(`${label}: the OTLP sink at ${sink.endpoint} received no export; thaw did not trace`);
  }
  return { run, exported };
}

/** Pipeline run (b), with thaw's extra environment. */
function measure(
  context: BenchContext,
  label: string,
  pools: PipelinePools,
  env: Record<string, string>,
  afterRegistration?: () => void,
): Promise<PipelineRun> {
  return measurePipeline(
    context,
    label,
    pools,
    (prefix, name) => servingWithSesEmulator(context, prefix, name, env),
    afterRegistration,
  );
}

interface Medians {
  readonly emailsPerSecond: number;
  readonly thawPerEvent: number | undefined;
  readonly redisPerEvent: number | undefined;
}

function medians(runs: readonly PipelineRun[]): Medians {
  return {
    emailsPerSecond: median(runs.map((run) => run.emailsPerSecond)),
    thawPerEvent: medianOf(runs.map((run) => run.cpu.thawPerEvent)),
    redisPerEvent: medianOf(runs.map((run) => run.cpu.redisPerEvent)),
  };
}

function report(context: BenchContext, variants: readonly Variant[], measured: readonly Measured[]): void {
  const summaries = measured.map((variant) => medians(variant.runs));
  const rounds = measured[0]?.runs.length ?? 0;
  const of = rounds > 1 ? `median of ${rounds} runs` : '1 run';
  // Each run's own figure after the median, when there is more than one.
  const perRun = (values: readonly string[]) => (values.length > 1 ? ` (${values.join(', ')})` : '');
  for (const [index, variant] of variants.entries()) {
    const { runs } = measured[index]!;
    const summary = summaries[index]!;
    context.report.row(
      'tracing',
      `(b) 1 serve process → aws-ses-v2-local, ${variant.label}`,
      perSecond(summary.emailsPerSecond, ' emails/s'),
      `${count(runs[0]?.events ?? 0)} events, ${of}${perRun(runs.map((run) => perSecond(run.emailsPerSecond)))}; ` +
        `CPU per event: thaw ${cpuTime(summary.thawPerEvent)}${perRun(runs.map((run) => cpuTime(run.cpu.thawPerEvent)))}, ` +
        `Redis ${cpuTime(summary.redisPerEvent)}`,
    );
  }

  const off = summaries[0]!;
  const summaryParts: string[] = [];
  for (const [index, variant] of variants.entries()) {
    if (!variant.traced) continue;
    const on = summaries[index]!;
    const { exported } = measured[index]!;
    const cpuRatio = on.thawPerEvent && off.thawPerEvent ? on.thawPerEvent / off.thawPerEvent : undefined;
    const rateRatio = on.emailsPerSecond / off.emailsPerSecond;
    const added =
      on.thawPerEvent !== undefined && off.thawPerEvent !== undefined
        ? on.thawPerEvent - off.thawPerEvent
        : undefined;
    context.report.row(
      'tracing',
      `${variant.label} / off: thaw CPU per event, emails/s`,
      `${cpuRatio === undefined ? '–' : ratio(cpuRatio)}, ${ratio(rateRatio)}`,
      added === undefined
        ? 'CPU not measured'
        : `thaw CPU per event ${cpuTime(off.thawPerEvent)} off, ${cpuTime(on.thawPerEvent)} on: ` +
            `${added >= 0 ? '+' : '−'}${cpuTime(Math.abs(added))} per event`,
    );
    const exportsPerEvent = median(exported.map((run) => run.exports / run.events));
    const bytesPerEvent = median(exported.map((run) => run.bytes / run.events));
    context.report.row(
      'tracing',
      `${variant.label}: OTLP exports, KB per event`,
      `${exportsPerEvent.toFixed(3)}, ${kilobytes(bytesPerEvent)}`,
      `${of}; ` +
        exported
          .map(
            (run) => `${count(run.exports)} exports, ${kilobytes(run.bytes)} for ${count(run.events)} events`,
          )
          .join('; ') +
        ' (warm-up and measured events, shutdown flush included)',
    );
    summaryParts.push(
      `${variant.label} ${cpuRatio === undefined ? 'n/a' : ratio(cpuRatio)} thaw CPU per event ` +
        `(${cpuTime(off.thawPerEvent)} → ${cpuTime(on.thawPerEvent)}), ${ratio(rateRatio)} emails/s, ` +
        `${kilobytes(bytesPerEvent)} OTLP per event`,
    );
  }
  context.report.summary(`tracing vs off: ${summaryParts.join('; ')}`);
}
