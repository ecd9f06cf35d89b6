import {
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
  MessageRejected,
  AccountSuspendedException,
  InternalServiceErrorException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { Redis } from 'ioredis';
import type { Mailer, OutgoingEmail } from '../../src/notify/mailer';
import { createSesClient, createSesMailer } from '../../src/notify/ses-mailer';
import { eventually } from '../helpers/eventually';
import { startNotificationHarness } from '../helpers/notification-harness';
import type { NotificationHarness } from '../helpers/notification-harness';
import { deletePrefix, testRedis, testWorkerRedis, uniquePrefix } from '../helpers/redis';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';

const prefix = uniquePrefix('notification-worker');
let redis: Redis;
let workerRedis: Redis;
let ses: SesEmulator;
let harness: NotificationHarness | undefined;
let run = 0;

beforeAll(async () => {
  redis = testRedis();
  workerRedis = testWorkerRedis();
  ses = await startSesEmulator();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
  await workerRedis.quit();
  await ses.stop();
});

/** The real SES mailer against the emulator, counting what it accepted and when. */
function countingMailer(): Mailer & { sent: { at: number; email: OutgoingEmail }[] } {
  const real = createSesMailer({ client: createSesClient({ region: 'us-east-1', endpoint: ses.endpoint }) });
  const sent: { at: number; email: OutgoingEmail }[] = [];
  return {
    sent,
    async send(email) {
      // When the worker was let through the limiter, not when SES answered.
      const at = Date.now();
      const result = await real.send(email);
      sent.push({ at, email });
      return result;
    },
  };
}

async function start(mailer: Mailer, options: { maxSendRate?: number; inDoubtMs?: number } = {}) {
  run += 1;
  harness = await startNotificationHarness({
    redis,
    workerRedis,
    prefix: `${prefix}-${run}`,
    mailer,
    ...options,
  });
  return harness;
}

const notificationOf = async (h: NotificationHarness, id: string, kind = 'completed') =>
  (await h.store.get(id))?.notifications.find((n) => n.kind === kind);

describe('notification worker', () => {
  it('sends the email through SES and records its MessageId and time', async () => {
    const mailer = countingMailer();
    const h = await start(mailer);
    const id = await h.completedRequest('ada@example.com', 'reports/q3.pdf');
    await h.notify(id, 'completed');
    const record = await eventually(async () => {
      const n = await notificationOf(h, id);
      expect(n?.state).toBe('sent');
      return n;
    });
    expect(mailer.sent).toHaveLength(1);
    const stored = (await ses.emails()).find((email) => email.messageId === record?.messageId);
    expect(stored).toMatchObject({ from: 'restores@example.com', destination: { to: ['ada@example.com'] } });
    expect(stored?.subject).toContain('q3.pdf');
    expect(stored?.body.html).toContain('X-Amz-Signature');
    expect(stored?.body.text).toContain('X-Amz-Signature');
    expect(Date.parse(record?.sentAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(mailer.sent[0]?.email.tags).toEqual({ 'thaw-request': id, 'thaw-kind': 'completed' });
  });

  it('sends nothing more when the job runs again after the email was sent', async () => {
    const mailer = countingMailer();
    const h = await start(mailer);
    const id = await h.completedRequest('twice@example.com');
    await h.notify(id, 'completed');
    await eventually(async () => expect((await notificationOf(h, id))?.state).toBe('sent'));
    // A redelivered or re-added job (e.g. after removeOnComplete) finds the notification sent.
    await h.queue.add('completed', { requestId: id, kind: 'completed' }, { jobId: `${id}-completed-again` });
    await eventually(async () =>
      expect(await h.queue.getJobState(`${id}-completed-again`)).toBe('completed'),
    );
    expect(mailer.sent).toHaveLength(1);
  });

  it('holds off while another attempt has a fresh claim, and sends once the claim is in doubt', async () => {
    const mailer = countingMailer();
    const h = await start(mailer, { inDoubtMs: 1500 });
    const id = await h.completedRequest('crash@example.com');
    // A crashed attempt: it claimed the notification, then died before recording an outcome.
    expect((await h.state.claim(id, 'completed', 'attempt-that-died', 1500)).outcome).toBe('claimed');
    await h.notify(id, 'completed');
    await eventually(async () => expect(await h.queue.getJobState(`${id}-completed`)).toBe('delayed'));
    expect(mailer.sent).toHaveLength(0);
    await eventually(async () => expect((await notificationOf(h, id))?.state).toBe('sent'), 20_000);
    expect(mailer.sent).toHaveLength(1);
  });

  it("does not send again when SES's Send event recorded the crashed attempt's email", async () => {
    const mailer = countingMailer();
    const h = await start(mailer, { inDoubtMs: 500 });
    const id = await h.completedRequest('evidence@example.com');
    await h.state.claim(id, 'completed', 'attempt-that-died', 500);
    await h.state.recordSent(id, 'completed', 'ses-message-from-the-lost-answer', new Date());
    await h.notify(id, 'completed');
    await eventually(async () => expect(await h.queue.getJobState(`${id}-completed`)).toBe('completed'));
    expect(mailer.sent).toHaveLength(0);
    expect((await notificationOf(h, id))?.messageId).toBe('ses-message-from-the-lost-answer');
  });

  it('sends nothing to a suppressed address and marks the notification suppressed', async () => {
    const mailer = countingMailer();
    const h = await start(mailer);
    await h.suppression.add(['Bounced@Example.com'], 'bounce (Permanent/General)');
    const id = await h.completedRequest('bounced@example.com');
    await h.notify(id, 'completed');
    await eventually(async () => expect((await notificationOf(h, id))?.state).toBe('suppressed'));
    expect(mailer.sent).toHaveLength(0);
  });

  it('matches suppressed addresses as suppression.ts normalises them, also beyond ASCII', async () => {
    const mailer = countingMailer();
    const h = await start(mailer);
    // The claim normalises ASCII in Redis; an address with other letters is checked by the worker.
    await h.suppression.add(['ada@example.com', 'Åsa.Öberg@Example.com'], 'complaint');
    const ascii = await h.completedRequest('ADA@Example.COM');
    const unicode = await h.completedRequest('åsa.öberg@example.com');
    const unicodeFree = await h.completedRequest('Émile@example.com');
    for (const id of [ascii, unicode, unicodeFree]) await h.notify(id, 'completed');
    await eventually(async () => expect((await notificationOf(h, unicodeFree))?.state).toBe('sent'));
    await eventually(async () => expect((await notificationOf(h, ascii))?.state).toBe('suppressed'));
    await eventually(async () => expect((await notificationOf(h, unicode))?.state).toBe('suppressed'));
    expect(mailer.sent.map((entry) => entry.email.to)).toEqual(['Émile@example.com']);
  });

  it('honours SES_MAX_SEND_RATE across the queue', async () => {
    const mailer = countingMailer();
    const h = await start(mailer, { maxSendRate: 4 });
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.completedRequest(`rate${i}@example.com`)),
    );
    for (const id of ids) await h.notify(id, 'completed');
    await eventually(async () => expect(mailer.sent).toHaveLength(12), 20_000);
    const times = mailer.sent.map((entry) => entry.at).sort((a, b) => a - b);
    // BullMQ's limiter admits `max` jobs per fixed window: no 1-second span can hold more than
    // two windows' worth, and 12 sends need three windows, so they cannot all start within one
    // second (unlimited, they would all start within a few milliseconds).
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(8);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1000);
  });
});

describe('notification worker: SES errors', () => {
  let sesMock: ReturnType<typeof mockClient>;
  beforeEach(() => {
    sesMock = mockClient(SESv2Client);
  });
  afterEach(() => sesMock.restore());

  const mailer = () => createSesMailer({ client: new SESv2Client({ region: 'us-east-1', maxAttempts: 1 }) });

  it('retries throttling through the rate limiter without spending an attempt', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }))
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }))
      .resolves({ MessageId: 'after-throttle' });
    const h = await start(mailer());
    const id = await h.completedRequest('throttled@example.com');
    await h.notify(id, 'completed');
    await eventually(async () => expect((await notificationOf(h, id))?.messageId).toBe('after-throttle'));
    // The sent-record is written inside the job; attemptsMade counts once the job has completed.
    await eventually(async () => expect(await h.queue.getJobState(`${id}-completed`)).toBe('completed'));
    const job = await h.queue.getJob(`${id}-completed`);
    expect(job?.attemptsMade).toBe(1);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('retries a 5xx with backoff and sends once it passes', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejectsOnce(new InternalServiceErrorException({ message: 'oops', $metadata: { httpStatusCode: 500 } }))
      .resolves({ MessageId: 'after-5xx' });
    const h = await start(mailer());
    const id = await h.completedRequest('flaky@example.com');
    await h.notify(id, 'completed');
    await eventually(async () => expect((await notificationOf(h, id))?.messageId).toBe('after-5xx'));
    await eventually(async () => expect(await h.queue.getJobState(`${id}-completed`)).toBe('completed'));
    expect((await h.queue.getJob(`${id}-completed`))?.attemptsMade).toBe(2);
  });

  it('fails a rejected message with the reason, without retrying', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(
        new MessageRejected({ message: 'Message contains a virus.', $metadata: { httpStatusCode: 400 } }),
      );
    const h = await start(mailer());
    const id = await h.completedRequest('rejected@example.com');
    await h.notify(id, 'completed');
    await eventually(async () => expect((await notificationOf(h, id))?.state).toBe('failed'));
    expect((await notificationOf(h, id))?.reason).toMatch(/ses_message_rejected/);
    await eventually(async () => expect(await h.queue.getJobState(`${id}-completed`)).toBe('failed'));
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('pauses all sending when the account is suspended', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(new AccountSuspendedException({ message: 'suspended', $metadata: { httpStatusCode: 400 } }));
    const h = await start(mailer());
    const id = await h.completedRequest('suspended@example.com');
    await h.notify(id, 'completed');
    await eventually(async () => expect(await h.queue.isPaused()).toBe(true));
    expect((await notificationOf(h, id))?.state).toBe('failed');
    expect(await h.metrics.registry.getSingleMetricAsString('thaw_sending_paused')).toMatch(
      /thaw_sending_paused 1/,
    );
  });
});
