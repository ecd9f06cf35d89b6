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
import { childrenOf, lineage, spanTree } from '../helpers/otlp-receiver';
import type { ReceivedSpan } from '../helpers/otlp-receiver';
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

/** An in-memory span in the receiver's form, so the trace helpers serve both tests. */
function received(span: ReadableSpan): ReceivedSpan {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    // OTLP numbers kinds from 1 (internal); the API from 0.
    kind: span.kind + 1,
    // One process: no resource tells the roles apart (only the worker instance runs workers).
    role: '',
    serviceName: '',
    attributes: span.attributes,
    start: BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1]),
  };
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
    return finished.map(received);
  });
  const recorded = spans.find((span) => span.name === 'notification.record_sent')!;
  const chain = lineage(spans, recorded);
  const root = chain.at(-1)!;
  console.log(
    `trace of one S3 event, api and worker instances in one process:\n${spanTree(spans, root.traceId)}`,
  );

  expect(chain.map((span) => span.name)).toEqual([
    'notification.record_sent',
    'process notifications',
    'add notifications.completed',
    'process restore-events',
    'add restore-events.completed',
    'POST /sns',
  ]);
  expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
  expect(root.parentSpanId).toBe('');
  expect(childrenOf(spans, root).map((span) => span.name)).toEqual(
    expect.arrayContaining(['sns.verify', 'add restore-events.completed']),
  );
  const notificationJob = chain[1]!;
  expect(childrenOf(spans, notificationJob).map((span) => span.name)).toEqual(
    expect.arrayContaining(['notification.claim', 'email.render', 'notification.record_sent']),
  );
});
