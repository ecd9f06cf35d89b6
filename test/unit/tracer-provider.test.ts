import { trace } from '@opentelemetry/api';
import { startTracing } from '../../src/observability/tracer-provider';
import type { Tracing } from '../../src/observability/tracer-provider';
import { capturingLogger } from '../helpers/logs';

/**
 * With tracing on, the OTLP exporter loads its HTTP agent with a dynamic import(), which Jest's
 * module runtime refuses: exporting is tested with the built processes (traces.test.ts).
 */
let tracing: Tracing | undefined;

afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
  trace.disable();
});

describe('the tracer provider', () => {
  it('does nothing with tracing off: no telemetry for BullMQ, nothing registered', async () => {
    const { logger } = capturingLogger();
    tracing = startTracing({ enabled: false }, { role: 'api', version: '1.2.3', logger });
    expect(tracing.queueTelemetry).toBeUndefined();
    expect(trace.getTracer('check').startSpan('x').isRecording()).toBe(false);
  });
});
