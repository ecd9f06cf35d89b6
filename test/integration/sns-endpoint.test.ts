import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { queuePrefix } from '../../src/keys';
import { restoreEventJobId } from '../../src/queue/event-producer';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { createSigner, snsHeaders } from '../../src/simulate/sns-signer';
import type { SignedSnsMessage } from '../../src/simulate/sns-signer';
import { createSigningIdentity } from '../../src/simulate/signing-identity';
import { eventBridgeMessage, s3NotificationMessage } from '../../src/simulate/restore-notifications';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { OTHER_TOPIC_ARN, TOPIC_ARN, startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

const prefix = uniquePrefix('sns-endpoint');
let world: SnsWorld;
let thaw: TestThaw;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  world = await startSnsWorld();
  redis = testRedis();
  thaw = await startTestThaw(prefix, { ...world.env, THAW_ROLE: 'api' });
  queue = new Queue(QUEUE_NAMES.restoreEvents, {
    connection: redis,
    prefix: queuePrefix(prefix, QUEUE_NAMES.restoreEvents),
  });
});

afterAll(async () => {
  await thaw.stop();
  await queue.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await world.close();
});

beforeEach(async () => {
  await queue.obliterate({ force: true });
  await deletePrefix(redis, prefix);
});

async function post(body: string | SignedSnsMessage, headers: Record<string, string> = {}) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const baseHeaders =
    typeof body === 'string' ? { 'content-type': 'text/plain; charset=UTF-8' } : snsHeaders(body);
  const response = await thaw.app.inject({
    method: 'POST',
    url: '/sns',
    payload,
    headers: { ...baseHeaders, ...headers },
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

const restore = (fields: Partial<SimulatedRestore> = {}): SimulatedRestore => ({
  kind: 'initiated',
  bucket: 'archive-bucket',
  key: 'customer 42/report+2019 (final) 100%.pdf',
  versionId: 'v-123',
  ...fields,
});

function notification(restores: SimulatedRestore[], version: '1' | '2' = '2') {
  return world.signer.sign(
    {
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Subject: 'Amazon S3 Notification',
      Message: s3NotificationMessage(restores),
    },
    version,
  );
}

async function queuedJobs() {
  return queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
}

describe('POST /sns', () => {
  it.each(['1', '2'] as const)(
    'queues a signed SignatureVersion %s restore event, normalised',
    async (version) => {
      const answer = await post(notification([restore()], version));
      expect(answer).toEqual({ status: 200, body: { status: 'queued', events: 1 } });
      const jobs = await queuedJobs();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.data.event).toMatchObject({
        kind: 'initiated',
        bucket: 'archive-bucket',
        key: 'customer 42/report+2019 (final) 100%.pdf',
        versionId: 'v-123',
        source: 's3',
      });
      expect(jobs[0]?.id).toBe(restoreEventJobId(jobs[0]?.data.event));
    },
  );

  it('queues every record of a several-record message', async () => {
    const answer = await post(
      notification([
        restore({ key: 'a.txt' }),
        restore({ key: 'b.txt', kind: 'completed' }),
        restore({ key: 'c.txt', kind: 'expired' }),
      ]),
    );
    expect(answer.body).toEqual({ status: 'queued', events: 3 });
    const kinds = (await queuedJobs()).map((job) => `${job.data.event.key}:${job.data.event.kind}`).sort();
    expect(kinds).toEqual(['a.txt:initiated', 'b.txt:completed', 'c.txt:expired']);
  });

  it('queues EventBridge restore events carried in SNS', async () => {
    const message = world.signer.sign({
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Message: eventBridgeMessage(restore({ kind: 'completed' })),
    });
    expect((await post(message)).status).toBe(200);
    const [job] = await queuedJobs();
    expect(job?.data.event).toMatchObject({ kind: 'completed', source: 'eventbridge', key: restore().key });
  });

  it('queues an EventBridge event whose key is not valid URL-encoding (a bare %), key as it stands', async () => {
    // SNS does not retry a 4xx: refusing the key would lose the event for good.
    const message = world.signer.sign({
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Message: eventBridgeMessage(restore({ key: 'reports/50%off+sale.pdf' }), false),
    });
    expect(await post(message)).toEqual({ status: 200, body: { status: 'queued', events: 1 } });
    const [job] = await queuedJobs();
    expect(job?.data.event).toMatchObject({ key: 'reports/50%off+sale.pdf', source: 'eventbridge' });
    expect(job?.data.event).not.toHaveProperty('rawKey');
  });

  it('queues an EventBridge event with its decoded key and the key as it stands', async () => {
    const message = world.signer.sign({
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Message: eventBridgeMessage(restore({ key: 'a+b c.pdf' }), false),
    });
    expect((await post(message)).status).toBe(200);
    const [job] = await queuedJobs();
    expect(job?.data.event).toMatchObject({ key: 'a b c.pdf', rawKey: 'a+b c.pdf' });
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'acknowledges an S3 record named %j as an unrelated event, queueing nothing',
    async (eventName) => {
      const message = JSON.parse(s3NotificationMessage([restore()])) as { Records: { eventName: string }[] };
      message.Records.forEach((record) => (record.eventName = eventName));
      const answer = await post(
        world.signer.sign({ Type: 'Notification', TopicArn: TOPIC_ARN, Message: JSON.stringify(message) }),
      );
      expect(answer).toEqual({ status: 200, body: { status: 'ignored', events: 0 } });
      expect(await queuedJobs()).toHaveLength(0);
    },
  );

  it('queues one job for an SNS redelivery (same MessageId) and for an S3 duplicate (new MessageId)', async () => {
    const event = restore({ eventTime: '2026-11-26T10:00:00.000Z', sequencer: '00638792A45B638391' });
    const first = notification([event]);
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await post(first)).status).toBe(200);
    const duplicate = notification([event]);
    expect(duplicate.MessageId).not.toBe(first.MessageId);
    expect((await post(duplicate)).status).toBe(200);
    expect(await queuedJobs()).toHaveLength(1);
  });

  it('still refuses a duplicate after the finished job was removed, within the dedupe window', async () => {
    const event = restore({ eventTime: '2026-11-26T11:00:00.000Z', sequencer: '00638792A45B6383AA' });
    await post(notification([event]));
    const [job] = await queuedJobs();
    // What BullMQ's removeOnComplete does to a finished job: its keys go, the dedupe key stays.
    await redis.del(queue.toKey(job?.id ?? ''));
    await redis.lrem(queue.toKey('wait'), 0, job?.id ?? '');
    expect(await queuedJobs()).toHaveLength(0);
    expect((await post(notification([event]))).status).toBe(200);
    expect(await queuedJobs()).toHaveLength(0);
    expect(await redis.pttl(queue.toKey(`de:${job?.id}`))).toBeGreaterThan(23 * 3600 * 1000);
  });

  it('acknowledges s3:TestEvent and other S3 events without queueing them', async () => {
    const test = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2014-10-13T15:57:02.089Z',
      Bucket: 'b',
      RequestId: 'r',
      HostId: 'h',
    });
    expect(
      (await post(world.signer.sign({ Type: 'Notification', TopicArn: TOPIC_ARN, Message: test }))).body,
    ).toEqual({ status: 'test_event', events: 0 });
    const put = JSON.parse(s3NotificationMessage([restore()])) as { Records: { eventName: string }[] };
    put.Records.forEach((record) => (record.eventName = 'ObjectCreated:Put'));
    const answer = await post(
      world.signer.sign({ Type: 'Notification', TopicArn: TOPIC_ARN, Message: JSON.stringify(put) }),
    );
    expect(answer).toEqual({ status: 200, body: { status: 'ignored', events: 0 } });
    expect(await queuedJobs()).toHaveLength(0);
  });

  it('confirms a subscription for an allowed topic by GETting its SubscribeURL', async () => {
    const subscribeUrl = `${world.server.origin}/?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=tok-1`;
    const before = world.server.confirmations.length;
    const answer = await post(
      world.signer.sign({
        Type: 'SubscriptionConfirmation',
        TopicArn: TOPIC_ARN,
        SubscribeURL: subscribeUrl,
        Token: 'tok-1',
      }),
    );
    expect(answer.body).toEqual({ status: 'confirmed', events: 0 });
    expect(world.server.confirmations.slice(before)).toEqual([subscribeUrl]);
  });

  it('never fetches the SubscribeURL of a foreign topic, an unsigned message, or an unsubscribe', async () => {
    const before = world.server.confirmations.length;
    const foreign = `${world.server.origin}/?Action=ConfirmSubscription&TopicArn=${OTHER_TOPIC_ARN}&Token=t`;
    expect(
      (
        await post(
          world.signer.sign({
            Type: 'SubscriptionConfirmation',
            TopicArn: OTHER_TOPIC_ARN,
            SubscribeURL: foreign,
          }),
        )
      ).status,
    ).toBe(403);
    const own = `${world.server.origin}/?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=t`;
    const forged = {
      ...world.signer.sign({ Type: 'SubscriptionConfirmation', TopicArn: TOPIC_ARN, SubscribeURL: own }),
      Token: 'other',
    };
    expect((await post(forged)).status).toBe(403);
    const unsubscribe = await post(
      world.signer.sign({ Type: 'UnsubscribeConfirmation', TopicArn: TOPIC_ARN, SubscribeURL: own }),
    );
    expect(unsubscribe.body).toEqual({ status: 'unsubscribed', events: 0 });
    expect(world.server.confirmations.length).toBe(before);
  });

  it('refuses a message altered after signing, and one signed with another key', async () => {
    const signed = notification([restore()]);
    const altered = {
      ...signed,
      Message: String(signed.Message).replace('archive-bucket', 'archive-buckex'),
    };
    expect(await post(altered)).toMatchObject({
      status: 403,
      body: { error: { code: 'signature_invalid' } },
    });
    const stranger = await createSigningIdentity();
    const impostor = createSigner(stranger.privateKeyPem, world.server.certUrl);
    const resigned = impostor.sign({
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Message: s3NotificationMessage([restore()]),
    });
    expect((await post(resigned)).status).toBe(403);
    expect(await queuedJobs()).toHaveLength(0);
  });

  it('refuses foreign topics, untrusted certificate hosts and missing signatures with 403', async () => {
    const foreign = world.signer.sign({
      Type: 'Notification',
      TopicArn: OTHER_TOPIC_ARN,
      Message: s3NotificationMessage([restore()]),
    });
    expect(await post(foreign)).toMatchObject({
      status: 403,
      body: { error: { code: 'topic_not_allowed' } },
    });
    const localhost = {
      ...notification([restore()]),
      SigningCertURL: world.server.certUrl.replace('127.0.0.1', 'localhost'),
    };
    expect(await post(localhost)).toMatchObject({
      status: 403,
      body: { error: { code: 'cert_url_untrusted' } },
    });
    const unsigned: Record<string, unknown> = { ...notification([restore()]) };
    delete unsigned.Signature;
    expect(await post(JSON.stringify(unsigned), { 'x-amz-sns-message-type': 'Notification' })).toMatchObject({
      status: 403,
      body: { error: { code: 'signature_missing' } },
    });
  });

  it.each([
    ['non-JSON', 'hello'],
    ['truncated JSON', '{"Type":"Notification","MessageId":"x'],
    ['a JSON array', '[1,2]'],
    ['an unknown Type', '{"Type":"Something"}'],
    ['an empty body', ''],
  ])('refuses %s with 400', async (_name, body) => {
    expect((await post(body)).status).toBe(400);
  });

  it('refuses a verified notification whose Message is not a restore event with 400', async () => {
    const hello = world.signer.sign({ Type: 'Notification', TopicArn: TOPIC_ARN, Message: 'Hello world' });
    expect(await post(hello)).toMatchObject({ status: 400, body: { error: { code: 'not_restore_event' } } });
  });

  it('refuses a header that contradicts the body with 400', async () => {
    expect(
      (await post(notification([restore()]), { 'x-amz-sns-message-type': 'SubscriptionConfirmation' }))
        .status,
    ).toBe(400);
  });

  it('refuses a body over the limit with 413', async () => {
    const huge = world.signer.sign({
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Message: 'x'.repeat(300 * 1024),
    });
    expect(await post(huge)).toMatchObject({ status: 413, body: { error: { code: 'body_too_large' } } });
  });

  it('downloads the signing certificate once for many messages', async () => {
    const before = world.server.hits();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, index) => post(notification([restore({ key: `k${index}` })]))),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(world.server.hits() - before).toBeLessThanOrEqual(1);
    expect(await queuedJobs()).toHaveLength(25);
  });

  it('counts messages, refusals and enqueue latency in /metrics', async () => {
    await post(notification([restore({ key: 'metrics.txt' })]));
    await post({ ...notification([restore()]), Signature: 'AAAA' });
    const text = (await thaw.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/thaw_sns_messages_total\{type="Notification",outcome="queued"\} [1-9]/);
    expect(text).toMatch(/thaw_sns_verification_failures_total\{reason="signature_invalid"\} [1-9]/);
    expect(text).toMatch(/thaw_enqueue_duration_seconds_count\{outcome="ok"\} [1-9]/);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await thaw.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await thaw.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });
});

describe('POST /sns while Redis is unreachable', () => {
  let offline: TestThaw;
  beforeAll(async () => {
    offline = await startTestThaw(`${prefix}-offline`, {
      ...world.env,
      THAW_ROLE: 'api',
      REDIS_URL: 'redis://127.0.0.1:1',
      ENQUEUE_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await offline.stop();
  });

  it('answers 503 so SNS retries, and /readyz says not ready', async () => {
    const message = notification([restore()]);
    const response = await offline.app.inject({
      method: 'POST',
      url: '/sns',
      payload: JSON.stringify(message),
      headers: snsHeaders(message),
    });
    expect(response.statusCode).toBe(503);
    // A generic message and the request id; what went wrong inside stays in the log.
    const { error } = response.json() as { error: { code: string; message: string } };
    expect(Object.keys(error).sort()).toEqual(['code', 'message']);
    expect(error.code).toBe('redis_unavailable');
    expect(error.message).toMatch(/^temporarily unavailable; retry later \(request [\w-]+\)$/);
    expect(response.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|within \d+ ms/);
    expect((await offline.app.inject({ url: '/readyz' })).statusCode).toBe(503);
  });

  it('still refuses forgeries with 403 (verification does not need Redis)', async () => {
    const message = { ...notification([restore()]), Signature: 'AAAA' };
    const response = await offline.app.inject({
      method: 'POST',
      url: '/sns',
      payload: JSON.stringify(message),
      headers: snsHeaders(message),
    });
    expect(response.statusCode).toBe(403);
  });
});
