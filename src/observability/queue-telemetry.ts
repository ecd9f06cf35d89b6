import type { Context } from '@opentelemetry/api';
import type { Span, Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';

/**
 * The BullMQ operations that belong in a restore's trace: adding a job (its trace context is
 * stored with the job) and processing it (a child of that add, in whichever process takes it).
 */
const TRACED_OPERATIONS = /^(add|addBulk|process) /;

/** Stands in for the spans left out: sets nothing on the context, records nothing. */
const UNTRACED: Span<Context> = {
  setSpanOnContext: (context) => context,
  setAttribute: () => undefined,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordException: () => undefined,
  end: () => undefined,
};

/**
 * BullMQ's `telemetry` option, through its OpenTelemetry package, with the trace context carried
 * in each job's options across processes. Only add and process become spans: BullMQ would also
 * start a trace for every blocking poll, lock renewal and stalled-job check of every worker.
 */
export function queueTelemetry(version: string): Telemetry<Context> {
  const otel = new BullMQOtel({ tracerName: 'bullmq', version });
  return {
    contextManager: otel.contextManager,
    tracer: {
      startSpan: (name, options, context) =>
        TRACED_OPERATIONS.test(name) ? otel.tracer.startSpan(name, options, context) : UNTRACED,
    },
  };
}
