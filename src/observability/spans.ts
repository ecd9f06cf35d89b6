import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Attributes, Span } from '@opentelemetry/api';
import { toError } from '../errors';

/**
 * thaw's own spans. With tracing off, OpenTelemetry's API hands out non-recording spans and runs
 * `work` directly: a few object allocations per step, nothing sent anywhere.
 */
const tracer = trace.getTracer('thaw');

/** Runs `work` in a child span of the active one; an error marks the span failed and is rethrown. */
export async function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, (span) => ended(span, work));
}

/** Runs `work` in the root span of a trace of its own (a scheduled run, not part of a request). */
export async function inNewTrace<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { root: true }, (span) => ended(span, work));
}

async function ended<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (thrown) {
    const error = toError(thrown);
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    throw thrown;
  } finally {
    span.end();
  }
}

/**
 * Runs `work` with no spans: for SDK calls that send nothing (presigning a URL runs the S3
 * client's middleware, which its instrumentation would show as an S3 call).
 */
export function withoutSpans<T>(work: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), work);
}

/** Adds what a step learned (an outcome, a count) to the span it runs in, if any records. */
export function describeActiveSpan(attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}
