import { freePort } from '../../src/demo/local-redis';
import { restoreNotification } from '../../src/simulate/deliver';
import { startCluster, TOKEN, TOPIC } from '../chaos/cluster';
import type { Cluster } from '../chaos/cluster';
import { thawProcess } from '../chaos/thaw-process';
import { eventually } from '../helpers/eventually';
import {
  childrenOf as spanChildren,
  lineage as spanLineage,
  spanTree,
  startOtlpReceiver,
} from '../helpers/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../helpers/otlp-receiver';
import { startS3StandIn } from '../helpers/s3-stand-in';
import type { S3StandIn } from '../helpers/s3-stand-in';

/**
 * One trace per restore, across processes: thaw's `api` and `worker` roles run as the built
 * service (`node dist/main.js`), configured only by OpenTelemetry's standard variables, and export
 * their spans over OTLP/HTTP to a receiver in this test, which keeps them in memory. (Inside Jest
 * the instrumentations of node:http, ioredis and the AWS SDK cannot patch anything: Jest loads
 * modules with its own require. Real processes run them as production does.)
 */
const BUCKET = 'trace-bucket';
const KEY = 'traced/archive-2019.tar';
let receiver: OtlpReceiver;
let s3: S3StandIn;
let cluster: Cluster;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  s3 = await startS3StandIn();
  s3.put({ bucket: BUCKET, key: KEY, storageClass: 'GLACIER' });
  cluster = await startCluster({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'thaw-traces-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
    },
  });
}, 60_000);

afterAll(async () => {
  if (process.env.DEBUG_TRACES) {
    const roots = receiver.spans.filter((span) => span.parentSpanId === '');
    for (const root of roots) console.log(spanTree(receiver.spans, root.traceId));
    console.log(JSON.stringify(cluster.workers[0]?.lines.slice(-30)));
  }
  await cluster?.stop();
  await s3?.stop();
  await receiver?.close();
}, 60_000);

const byId = (spanId: string) => receiver.spans.find((span) => span.spanId === spanId);
const lineage = (span: ReceivedSpan) => spanLineage(receiver.spans, span);
/** The span and its ancestors, nearest first, as `name [role]`. */
const ancestry = (span: ReceivedSpan) => lineage(span).map((link) => `${link.name} [${link.role}]`);
const childrenOf = (parent: ReceivedSpan) => spanChildren(receiver.spans, parent);

async function emailsTo(address: string): Promise<number> {
  const store = (await (await fetch(`${cluster.sesUrl()}/store`)).json()) as {
    emails: { destination?: { to?: string[] } }[];
  };
  return store.emails.filter((email) => email.destination?.to?.includes(address)).length;
}

describe('one trace per restore, across the api and worker roles', () => {
  let requestId: string;
  const email = 'traced@example.com';

  it('follows POST /v1/restores through HeadObject and RestoreObject to S3', async () => {
    const response = await fetch(`${cluster.api.url}/v1/restores`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bucket: BUCKET, key: KEY, initiate: true, recipient: { email } }),
    });
    expect(response.status).toBe(201);
    requestId = ((await response.json()) as { id: string }).id;
    expect(s3.restores).toHaveLength(1);

    const root = await eventually(async () => {
      const span = receiver.spans.find((candidate) => candidate.name === 'POST /v1/restores');
      if (!span) throw new Error('POST /v1/restores not exported yet');
      return span;
    }, 15_000);
    console.log(`trace of POST /v1/restores:\n${spanTree(receiver.spans, root.traceId)}`);

    expect(root).toMatchObject({ role: 'api', kind: 2, parentSpanId: '', serviceName: 'thaw-traces-test' });
    expect(root.attributes['http.route']).toBe('/v1/restores');
    const calls = childrenOf(root).filter((span) => span.kind === 3 && span.name.startsWith('S3.'));
    expect(calls.map((span) => span.name)).toEqual(['S3.HeadObject', 'S3.RestoreObject']);
    expect(calls[1]?.attributes['rpc.method']).toBe('RestoreObject');
    // The registration is stored inside the same trace.
    expect(childrenOf(root).some((span) => span.attributes['db.system.name'] === 'redis')).toBe(true);
  }, 30_000);

  it('follows a signed S3 event from POST /sns through verification, both jobs and SES to the recorded send', async () => {
    const delivery = restoreNotification([{ kind: 'completed', bucket: BUCKET, key: KEY }], {
      signer: cluster.signer,
      topicArn: TOPIC,
    });
    await cluster.sns.publish(delivery);
    await eventually(async () => expect(await emailsTo(email)).toBe(1), 30_000);

    const sent = await eventually(async () => {
      const span = receiver.spans.find(
        (candidate) =>
          candidate.name === 'notification.record_sent' &&
          receiver.spans.some((other) => other.traceId === candidate.traceId && other.name === 'POST /sns'),
      );
      if (!span) throw new Error('no recorded send in the trace of POST /sns yet');
      // The notification job's span ends after the send is recorded, so wait for it too.
      if (!byId(span.parentSpanId)) throw new Error('the notification job span is not exported yet');
      return span;
    }, 30_000);
    const tree = spanTree(receiver.spans, sent.traceId);
    console.log(`trace of one S3 event (POST /sns):\n${tree}`);

    // The chain, nearest first: each arrow a parent/child link, two of them across processes
    // (the api queued the event, a worker took it) carried in the jobs' data through Redis.
    expect(ancestry(sent)).toEqual([
      'notification.record_sent [worker]',
      'process notifications [worker]',
      'add notifications.completed [worker]',
      'process restore-events [worker]',
      'add restore-events.completed [api]',
      'POST /sns [api]',
    ]);
    const post = lineage(sent).at(-1)!;
    expect(post).toMatchObject({ kind: 2, parentSpanId: '' });
    const verify = childrenOf(post).find((span) => span.name === 'sns.verify');
    expect(verify?.attributes).toMatchObject({ 'sns.type': 'Notification', 'sns.topic_arn': TOPIC });
    expect(post.attributes['sns.outcome']).toBe('queued');

    const notificationJob = byId(sent.parentSpanId)!;
    expect(notificationJob.kind).toBe(5);
    const steps = childrenOf(notificationJob).map((span) => span.name);
    expect(steps).toEqual(
      expect.arrayContaining([
        'notification.claim',
        'email.render',
        'SESv2.SendEmail',
        'notification.record_sent',
      ]),
    );
    // The download link is presigned locally: no S3 call appears for it.
    expect(steps).not.toContain('S3.GetObject');
    const sesCall = childrenOf(notificationJob).find((span) => span.name === 'SESv2.SendEmail');
    expect(sesCall).toMatchObject({ role: 'worker', kind: 3 });
    expect(sent.attributes['aws.ses.message_id']).toEqual(expect.any(String));

    // Redis commands appear inside the steps that run them, by command name only: their arguments
    // hold keys with customer link tokens.
    const redisSpans = receiver.spans.filter(
      (span) => span.traceId === sent.traceId && span.attributes['db.system.name'] === 'redis',
    );
    expect(redisSpans.length).toBeGreaterThan(0);
    for (const span of redisSpans) expect(String(span.attributes['db.query.text'])).toMatch(/^[a-z]+$/i);

    // Logs and traces join: lines written inside the trace carry its id.
    const correlated = cluster.workers[0]!.lines.find(
      (line) => line.msg === 'restore event correlated' && line.snsMessageId === delivery.MessageId,
    );
    expect(correlated?.trace_id).toBe(sent.traceId);
    const emailSent = cluster.workers[0]!.lines.find(
      (line) => line.msg === 'email sent' && line.requestId === requestId && line.kind === 'completed',
    );
    expect(emailSent?.trace_id).toBe(sent.traceId);
    expect(emailSent?.span_id).toEqual(expect.stringMatching(/^[0-9a-f]{16}$/));
    const posted = cluster.api.lines.find(
      (line) => line.msg === 'sns Notification queued' && line.messageId === delivery.MessageId,
    );
    expect(posted?.trace_id).toBe(sent.traceId);
  }, 60_000);

  it('leaves probes and scrapes out, and customer link tokens out of span attributes', async () => {
    await fetch(`${cluster.api.url}/metrics`);
    await fetch(`${cluster.api.url}/d/secret-token-value`);
    await eventually(
      async () => receiver.spans.some((span) => span.attributes['http.route'] === '/d/:token'),
      15_000,
    );
    const paths = receiver.spans.map((span) => String(span.attributes['url.path'] ?? ''));
    expect(paths).not.toContain('/metrics');
    expect(paths).not.toContain('/healthz');
    const exported = JSON.stringify(receiver.spans, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
    expect(exported).not.toContain('secret-token-value');
    expect(paths).toContain('/d/[token]');
  }, 30_000);

  it('says in its log when the collector is down, and keeps serving', async () => {
    // Port 9 (discard) is closed on loopback: every export is refused.
    const lonely = thawProcess('api', await freePort(), {
      ...cluster.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    await lonely.start();
    try {
      const response = await fetch(`${lonely.url}/v1/restores/r_not_there`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(404);
      const warning = await eventually(async () => {
        const line = lonely.lines.find(
          (candidate) => candidate.msg === 'OpenTelemetry reported a problem: spans may be lost',
        );
        if (!line) throw new Error('no warning yet');
        return line;
      }, 20_000);
      expect(warning).toMatchObject({ level: 'warn', detail: expect.stringContaining('ECONNREFUSED') });
    } finally {
      await lonely.kill('SIGTERM');
    }
  }, 40_000);
});
