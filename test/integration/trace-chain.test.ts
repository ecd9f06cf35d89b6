import * as nodeHttp from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { Redis } from 'ioredis';
import { queueTelemetry } from '../../src/observability/queue-telemetry';
import type { Tracing } from '../../src/observability/tracer-provider';
import { snsHeaders } from '../../src/simulate/sns-signer';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * The trace of one S3 event, end to end, with spans kept in memory: an `api` instance takes the
 * signed SNS delivery over HTTP, a `worker` instance (the only one with workers) correlates it and
 * sends the email through the SES emulator. The two share nothing but Redis: the worker's spans
 * join the api's trace only through the context BullMQ stored in each job.
 *
 * Jest loads modules with its own require, which OpenTelemetry's require hooks never see: the HTTP
 * instrumentation's patch is applied to node:http by hand here, and the ioredis and AWS SDK spans
 * are left to traces.test.ts, which runs the built processes and collects their spans over OTLP.
 */
const prefix = uniquePrefix('trace-chain');
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracing: Tracing = { queueTelemetry: queueTelemetry('test'), shutdown: async () => undefined };
const http = new HttpInstrumentation({ disableOutgoingRequestInstrumentation: true });
const httpPatch = http.getModuleDefinitions().find((definition) => definition.name === 'http');
let world: SnsWorld;
let ses: SesEmulator;
let redis: Redis;
let api: TestThaw;
let worker: TestThaw;

beforeAll(async () => {
  provider.register();
  http.setTracerProvider(provider);
  httpPatch?.patch?.(nodeHttp);
  world = await startSnsWorld();
  ses = await startSesEmulator();
  redis = testRedis();
  const env = { ...world.env, SES_ENDPOINT: ses.endpoint, SES_MAX_SEND_RATE: '1000' };
  api = await startTestThaw(prefix, { ...env, THAW_ROLE: 'api' }, undefined, { tracing });
  worker = await startTestThaw(prefix, { ...env, THAW_ROLE: 'worker' }, undefined, { tracing });
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  httpPatch?.unpatch?.(nodeHttp);
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await ses.stop();
  await world.close();
});

function printed(spans: readonly ReadableSpan[], root: ReadableSpan): string {
  const lines: string[] = [];
  const visit = (span: ReadableSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${span.name}`);
    spans
      .filter((child) => child.parentSpanContext?.spanId === span.spanContext().spanId)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
      .forEach((child) => visit(child, depth + 1));
  };
  visit(root, 0);
  return lines.join('\n');
}

it('carries one trace from POST /sns through both jobs to the recorded send', async () => {
  const flow = restoreFlow(api.app, world.signer);
  const email = 'chain@example.com';
  await flow.register({ bucket: 'chain-bucket', key: 'k/one.bin', recipient: { email } });
  const message = flow.signed([{ kind: 'completed', bucket: 'chain-bucket', key: 'k/one.bin' }]);
  const response = await fetch(`${api.url}/sns`, {
    method: 'POST',
    headers: snsHeaders(message),
    body: JSON.stringify(message),
  });
  expect(response.status).toBe(200);
  await eventually(async () => {
    expect((await ses.emails()).filter((sent) => sent.destination.to.includes(email))).toHaveLength(1);
  });

  const spans = await eventually(async () => {
    const finished = exporter.getFinishedSpans();
    if (!finished.some((span) => span.name === 'process notifications')) throw new Error('not yet');
    return finished;
  });
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const recorded = spans.find((span) => span.name === 'notification.record_sent')!;
  const chain: ReadableSpan[] = [];
  for (
    let span: ReadableSpan | undefined = recorded;
    span;
    span = byId.get(span.parentSpanContext?.spanId ?? '')
  ) {
    chain.push(span);
  }
  const root = chain.at(-1)!;
  console.log(`trace of one S3 event, api and worker instances in one process:\n${printed(spans, root)}`);

  expect(chain.map((span) => span.name)).toEqual([
    'notification.record_sent',
    'process notifications',
    'add notifications.completed',
    'process restore-events',
    'add restore-events.completed',
    'POST /sns',
  ]);
  expect(new Set(chain.map((span) => span.spanContext().traceId)).size).toBe(1);
  expect(root.parentSpanContext).toBeUndefined();
  const underRoot = spans.filter((span) => span.parentSpanContext?.spanId === root.spanContext().spanId);
  expect(underRoot.map((span) => span.name)).toEqual(
    expect.arrayContaining(['sns.verify', 'add restore-events.completed']),
  );
  const notificationJob = chain[1]!;
  expect(
    spans
      .filter((span) => span.parentSpanContext?.spanId === notificationJob.spanContext().spanId)
      .map((span) => span.name),
  ).toEqual(expect.arrayContaining(['notification.claim', 'email.render', 'notification.record_sent']));
});
