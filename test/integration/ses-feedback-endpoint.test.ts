import type { Redis } from 'ioredis';
import { createRedisKeys } from '../../src/keys';
import { createNotificationState } from '../../src/notify/notification-state';
import { snsHeaders } from '../../src/simulate/sns-signer';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { requested, spec, testStore } from '../helpers/store';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/** SES feedback arrives on its own SNS topic, through the same verified endpoint. */
const prefix = uniquePrefix('ses-feedback');
const FEEDBACK_TOPIC = 'arn:aws:sns:us-east-1:123456789012:thaw-ses-feedback';
let world: SnsWorld;
let thaw: TestThaw;
let redis: Redis;

beforeAll(async () => {
  world = await startSnsWorld();
  redis = testRedis();
  thaw = await startTestThaw(prefix, {
    ...world.env,
    THAW_ROLE: 'api',
    SNS_FEEDBACK_TOPIC_ARNS: FEEDBACK_TOPIC,
  });
});
afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await world.close();
});

const mail = {
  timestamp: '2026-11-26T10:00:00.000Z',
  source: 'restores@example.com',
  messageId: '0100018c-abc',
  destination: ['x@example.com'],
};

async function feedback(message: unknown, url = '/sns', topic = FEEDBACK_TOPIC) {
  const signed = world.signer.sign({
    Type: 'Notification',
    TopicArn: topic,
    Message: JSON.stringify(message),
  });
  const response = await thaw.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(signed),
    headers: snsHeaders(signed),
  });
  return response.statusCode;
}

describe('SES feedback at /sns', () => {
  it('suppresses permanently bounced and complaining addresses, ignores soft bounces', async () => {
    const bounce = {
      notificationType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: 'Gone@Example.com' }],
      },
    };
    const soft = {
      notificationType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
        bouncedRecipients: [{ emailAddress: 'full@example.com' }],
      },
    };
    const complaint = {
      eventType: 'Complaint',
      mail,
      complaint: {
        complainedRecipients: [{ emailAddress: 'angry@example.com' }],
        complaintFeedbackType: 'abuse',
      },
    };
    expect(await feedback(bounce)).toBe(200);
    expect(await feedback(soft)).toBe(200);
    expect(await feedback(complaint)).toBe(200);
    const suppressed = await redis.hkeys(createRedisKeys(prefix).suppressed);
    expect(suppressed.sort()).toEqual(['angry@example.com', 'gone@example.com']);
    // What SES reported, counted for the bounce and complaint rates (docs/OPERATIONS.md).
    const exposition = (await thaw.app.inject({ url: '/metrics' })).body;
    for (const event of ['hard_bounce', 'soft_bounce', 'complaint']) {
      expect(exposition).toContain(`thaw_ses_feedback_events_total{event="${event}"} 1`);
    }
  });

  it('records a notification sent from SES Send events carrying its tags', async () => {
    const store = testStore(redis, prefix);
    const { id } = await store.register({
      spec: spec([{ bucket: 'b', key: 'k', versionId: null }]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
    });
    await createNotificationState(redis, createRedisKeys(prefix)).claim(
      id,
      'initiated',
      'lost-attempt',
      60_000,
    );
    const send = {
      eventType: 'Send',
      mail: { ...mail, messageId: 'ses-msg-7', tags: { 'thaw-request': [id], 'thaw-kind': ['initiated'] } },
      send: {},
    };
    expect(await feedback(send)).toBe(200);
    expect((await store.get(id))?.notifications).toEqual([
      expect.objectContaining({ kind: 'initiated', state: 'sent', messageId: 'ses-msg-7' }),
    ]);
  });

  it('refuses malformed feedback with 400 and feedback from a foreign topic with 403', async () => {
    expect(await feedback({ hello: 'world' })).toBe(400);
    expect(
      await feedback(
        { notificationType: 'Bounce', mail },
        '/sns',
        'arn:aws:sns:us-east-1:123456789012:other',
      ),
    ).toBe(403);
  });
});

describe('SES feedback at /sns while Redis is unreachable', () => {
  it('answers 503 (SNS retries), not 500: recording feedback needs Redis', async () => {
    const offline = await startTestThaw(`${prefix}-offline`, {
      ...world.env,
      THAW_ROLE: 'api',
      SNS_FEEDBACK_TOPIC_ARNS: FEEDBACK_TOPIC,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    try {
      const signed = world.signer.sign({
        Type: 'Notification',
        TopicArn: FEEDBACK_TOPIC,
        Message: JSON.stringify({
          notificationType: 'Bounce',
          mail,
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: 'gone@example.com' }],
          },
        }),
      });
      const response = await offline.app.inject({
        method: 'POST',
        url: '/sns',
        payload: JSON.stringify(signed),
        headers: snsHeaders(signed),
      });
      expect(response.statusCode).toBe(503);
      expect((response.json() as { error: { code: string } }).error.code).toBe('redis_unavailable');
    } finally {
      await offline.stop();
    }
  });
});
