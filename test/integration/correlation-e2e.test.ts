import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { queuePrefix } from '../../src/keys';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { snsHeaders } from '../../src/simulate/sns-signer';
import { s3NotificationMessage } from '../../src/simulate/restore-notifications';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { TOPIC_ARN, startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * Through the running service: register, post signed S3 events to /sns, and watch the correlation
 * worker move requests and decide exactly one notification per kind.
 */
const prefix = uniquePrefix('correlation-e2e');
const TOKEN = 'test-token-0123456789abcdef';
let world: SnsWorld;
let thaw: TestThaw;
let redis: Redis;
let notifications: Queue;
let restoreEvents: Queue;
let ses: SesEmulator;

beforeAll(async () => {
  world = await startSnsWorld();
  ses = await startSesEmulator();
  redis = testRedis();
  // Emails are another file's concern: here notification jobs are only counted.
  thaw = await startTestThaw(prefix, { ...world.env, THAW_ROLE: 'serve', SES_ENDPOINT: ses.endpoint });
  notifications = new Queue(QUEUE_NAMES.notifications, {
    connection: redis,
    prefix: queuePrefix(prefix, QUEUE_NAMES.notifications),
  });
  restoreEvents = new Queue(QUEUE_NAMES.restoreEvents, {
    connection: redis,
    prefix: queuePrefix(prefix, QUEUE_NAMES.restoreEvents),
  });
});
afterAll(async () => {
  await thaw.stop();
  await notifications.close();
  await restoreEvents.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await ses.stop();
  await world.close();
});

const recipient = { email: 'grace@example.com', locale: 'en', timeZone: 'UTC' };

async function register(body: Record<string, unknown>): Promise<string> {
  const response = await thaw.app.inject({
    method: 'POST',
    url: '/v1/restores',
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: { initiate: false, recipient, ...body },
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

async function read(id: string) {
  const response = await thaw.app.inject({
    url: `/v1/restores/${id}`,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  if (response.statusCode !== 200) throw new Error(`GET answered ${response.statusCode}: ${response.body}`);
  return response.json() as {
    status: string;
    events: { kind: string; effect: string }[];
    objects?: { status: string }[];
  };
}

function signed(restores: SimulatedRestore[]) {
  return world.signer.sign({
    Type: 'Notification',
    TopicArn: TOPIC_ARN,
    Subject: 'Amazon S3 Notification',
    Message: s3NotificationMessage(restores),
  });
}

async function deliver(message: ReturnType<typeof signed>) {
  const response = await thaw.app.inject({
    method: 'POST',
    url: '/sns',
    payload: JSON.stringify(message),
    headers: snsHeaders(message),
  });
  expect(response.statusCode).toBe(200);
}

async function notificationIdsFor(id: string): Promise<string[]> {
  const jobs = await notifications.getJobs([
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  ]);
  return jobs.flatMap((job) => (job.id?.startsWith(`${id}-`) ? [job.id] : [])).sort();
}

async function drained(): Promise<boolean> {
  const counts = await restoreEvents.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).every((count) => count === 0);
}

describe('correlation through the running service', () => {
  it('moves a request to completed with both events and exactly two notification jobs; redelivery changes nothing', async () => {
    const object = { bucket: 'archive-bucket', key: 'e2e/report 2019.pdf' };
    const id = await register(object);
    const post = signed([
      {
        kind: 'initiated',
        ...object,
        eventTime: '2026-11-26T10:00:00.000Z',
        sequencer: '0065C3D18445E40300',
      },
    ]);
    const completed = signed([
      {
        kind: 'completed',
        ...object,
        eventTime: '2026-11-26T14:00:00.000Z',
        sequencer: '0065C3D18445E403D5',
      },
    ]);
    await deliver(post);
    await deliver(completed);
    const done = await eventually(async () => {
      const request = await read(id);
      expect(request.status).toBe('completed');
      return request;
    });
    expect(done.events.map((event) => `${event.kind}:${event.effect}`)).toEqual([
      'initiated:applied',
      'completed:applied',
    ]);
    expect(await notificationIdsFor(id)).toEqual([`${id}-completed`, `${id}-initiated`]);

    await deliver(post);
    await deliver(completed);
    await deliver(
      signed([
        {
          kind: 'completed',
          ...object,
          eventTime: '2026-11-26T14:00:00.000Z',
          sequencer: '0065C3D18445E403D5',
        },
      ]),
    );
    await eventually(drained);
    expect((await read(id)).events).toHaveLength(2);
    expect(await notificationIdsFor(id)).toEqual([`${id}-completed`, `${id}-initiated`]);
  });

  it('tells every recipient waiting on one object', async () => {
    const object = { bucket: 'archive-bucket', key: 'e2e/shared.bin' };
    const ids = [
      await register(object),
      await register(object),
      await register({ ...object, versionId: 'other' }),
    ];
    await deliver(signed([{ kind: 'completed', ...object }]));
    await eventually(async () => expect((await read(ids[1]!)).status).toBe('completed'));
    expect((await read(ids[0]!)).status).toBe('completed');
    // A versioned request is told only about its own version.
    expect((await read(ids[2]!)).status).toBe('requested');
    expect(await notificationIdsFor(ids[0]!)).toEqual([`${ids[0]}-completed`]);
  });

  it('sends one email per kind for a several-object request', async () => {
    const objects = ['a', 'b', 'c'].map((name) => ({ bucket: 'archive-bucket', key: `e2e/set/${name}.tif` }));
    const id = await register({ objects });
    await deliver(signed(objects.map((object) => ({ kind: 'initiated' as const, ...object }))));
    await deliver(signed(objects.slice(0, 2).map((object) => ({ kind: 'completed' as const, ...object }))));
    await eventually(async () =>
      expect((await read(id)).objects?.filter((o) => o.status === 'completed')).toHaveLength(2),
    );
    expect((await read(id)).status).toBe('initiated');
    await deliver(signed([{ kind: 'completed', ...objects[2]! }]));
    await eventually(async () => expect((await read(id)).status).toBe('completed'));
    expect(await notificationIdsFor(id)).toEqual([`${id}-completed`, `${id}-initiated`]);
  });

  it('applies an event that arrived before its request once the request is registered', async () => {
    const object = { bucket: 'archive-bucket', key: 'e2e/early-bird.bin' };
    await deliver(signed([{ kind: 'initiated', ...object }]));
    await eventually(drained);
    const id = await register(object);
    expect((await read(id)).status).toBe('initiated');
    await eventually(async () => expect(await notificationIdsFor(id)).toEqual([`${id}-initiated`]));
  });
});
