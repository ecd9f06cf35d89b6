import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { SpanKind } from 'bullmq';
import { queueTelemetry } from '../../src/observability/queue-telemetry';
import { describeActiveSpan, inNewTrace, inSpan, withoutSpans } from '../../src/observability/spans';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => provider.register());
afterEach(() => exporter.reset());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const finished = () => exporter.getFinishedSpans();
const named = (name: string) => finished().find((span) => span.name === name);

describe("thaw's own spans", () => {
  it('nests a step in the active span and records what it learned', async () => {
    await inSpan('outer', { 'thaw.request.id': 'r_1' }, async () => {
      await inSpan('inner', {}, async () => describeActiveSpan({ 'thaw.claim': 'claimed' }));
    });
    expect(named('inner')?.parentSpanContext?.spanId).toBe(named('outer')?.spanContext().spanId);
    expect(named('inner')?.attributes).toEqual({ 'thaw.claim': 'claimed' });
    expect(named('outer')?.attributes).toEqual({ 'thaw.request.id': 'r_1' });
  });

  it('marks a failed step and rethrows its error unchanged', async () => {
    const failure = new Error('SES said no');
    await expect(inSpan('send', {}, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(named('send')?.status).toEqual({ code: 2, message: 'SES said no' });
    expect(named('send')?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('starts a trace of its own for a scheduled run, even inside another span', async () => {
    await inSpan('request', {}, () => inNewTrace('reconcile', async () => undefined));
    expect(named('reconcile')?.parentSpanContext).toBeUndefined();
    expect(named('reconcile')?.spanContext().traceId).not.toBe(named('request')?.spanContext().traceId);
  });

  it('makes no spans for work that sends nothing', async () => {
    await withoutSpans(() => inSpan('presign', {}, async () => undefined));
    expect(finished()).toEqual([]);
  });
});

describe("BullMQ's telemetry option", () => {
  const telemetry = queueTelemetry('test');

  it.each(['add notifications.completed', 'addBulk restore-events', 'process notifications'])(
    'makes a span of %s',
    (name) => {
      const span = telemetry.tracer.startSpan(name, { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
      expect(trace.getSpan(span.setSpanOnContext(ROOT_CONTEXT))).toBeDefined();
      span.end();
      expect(named(name)).toBeDefined();
    },
  );

  it.each(['getNextJob notifications', 'moveStalledJobsToWait notifications', 'close restore-events'])(
    'leaves %s out, and the context as it was',
    (name) => {
      const span = telemetry.tracer.startSpan(name, { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
      expect(span.setSpanOnContext(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
      span.end();
      expect(finished()).toEqual([]);
    },
  );
});
