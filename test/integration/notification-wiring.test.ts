import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { runSending } from '../../src/cli/sending-command';
import { loadConfig } from '../../src/config';
import { queuePrefix } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { start } from '../../src/main';
import type { RunningThaw } from '../../src/main';
import type { Mailer } from '../../src/notify/mailer';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import type { NotificationJob } from '../../src/queue/queues';
import { baseTestEnv } from '../helpers/env';
import { eventually } from '../helpers/eventually';
import { startNotificationHarness } from '../helpers/notification-harness';
import { deletePrefix, TEST_REDIS_URL, testRedis, testWorkerRedis, uniquePrefix } from '../helpers/redis';
import { restoreFlow } from '../helpers/restore-flow';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';

/**
 * Issue 14: what the composition root hands from one stage to the next. The SNS MessageId reaches
 * the email's log line, the end-to-end latency needs no event history, and `thaw_sending_paused`
 * follows `thaw sending pause|resume` run from another process.
 */
const prefix = uniquePrefix('notification-wiring');
const thawPrefix = `${prefix}-thaw`;
let redis: Redis;
let workerRedis: Redis;
let world: SnsWorld;
let thaw: RunningThaw;
let notifications: Queue<NotificationJob, void, string>;
const logLines: Record<string, unknown>[] = [];

/** Accepts every email, in process. */
function acceptingMailer(): Mailer {
  let sent = 0;
  return {
    async send() {
      sent += 1;
      return { messageId: `ses-${sent}` };
    },
  };
}

async function scrape(): Promise<string> {
  const response = await thaw.app!.inject({ url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return response.body;
}

beforeAll(async () => {
  redis = testRedis();
  workerRedis = testWorkerRedis();
  world = await startSnsWorld();
  const config = loadConfig({ ...baseTestEnv(thawPrefix), ...world.env, LOG_LEVEL: 'info' });
  const logger = createLogger({
    level: config.logLevel,
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  thaw = await start(config, logger, { mailer: acceptingMailer() });
  notifications = new Queue<NotificationJob, void, string>(QUEUE_NAMES.notifications, {
    connection: redis,
    prefix: queuePrefix(thawPrefix, QUEUE_NAMES.notifications),
  });
});

afterAll(async () => {
  await notifications.close();
  await thaw.shutdown.run('test finished');
  await deletePrefix(redis, prefix);
  await redis.quit();
  await workerRedis.quit();
  await world.close();
});

describe('one SNS delivery, followed to its email', () => {
  it('carries the SNS MessageId into the notification job and the "email sent" log line', async () => {
    const flow = restoreFlow(thaw.app!, world.signer);
    const object = { bucket: 'wiring-bucket', key: 'traced/object.bin' };
    const id = await flow.register({
      ...object,
      recipient: { email: 'traced@example.com', locale: 'en', timeZone: 'UTC' },
    });
    const delivery = flow.signed([{ kind: 'initiated', ...object }]);
    const snsMessageId = String(delivery.MessageId);
    expect(await flow.deliver(delivery)).toBe(200);

    const sent = await eventually(async () => {
      const line = logLines.find((entry) => entry.msg === 'email sent' && entry.requestId === id);
      expect(line).toBeDefined();
      return line!;
    });
    expect(sent.snsMessageId).toBe(snsMessageId);
    const job = await notifications.getJob(`${id}-initiated`);
    expect(job?.data).toMatchObject({ requestId: id, kind: 'initiated', snsMessageId });
    // The latency of that email is measured (from the event's time carried by the job).
    expect(await scrape()).toMatch(/^thaw_end_to_end_latency_seconds_count [1-9]/m);
  });
});

describe('thaw_sending_paused', () => {
  it('is read when scraped: `thaw sending pause` shows 1, `thaw sending resume` shows 0', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, THAW_PREFIX: thawPrefix };
    const out: string[] = [];
    const io = { out: (line: string) => void out.push(line) };
    expect(await scrape()).toMatch(/^thaw_sending_paused 0$/m);

    expect(await runSending(['pause'], io, env)).toBe(0);
    expect(await scrape()).toMatch(/^thaw_sending_paused 1$/m);

    expect(await runSending(['resume'], io, env)).toBe(0);
    expect(await scrape()).toMatch(/^thaw_sending_paused 0$/m);
    expect(out.at(-1)).toMatch(/^sending is running/);
  });
});

describe('end-to-end latency', () => {
  it('is observed for a sent email although the request is read without its events', async () => {
    const h = await startNotificationHarness({
      redis,
      workerRedis,
      prefix: `${prefix}-harness`,
      mailer: acceptingMailer(),
    });
    try {
      const id = await h.completedRequest('latency@example.com');
      const eventTime = new Date(Date.now() - 90_000).toISOString();
      await h.notify(id, 'completed', { snsMessageId: 'sns-latency-1', eventTime });
      await eventually(async () => expect(await h.queue.getJobState(`${id}-completed`)).toBe('completed'));
      const latency = await h.metrics.endToEndLatency.get();
      const count = latency.values.find(
        (value) => value.metricName === 'thaw_end_to_end_latency_seconds_count',
      );
      const sum = latency.values.find((value) => value.metricName === 'thaw_end_to_end_latency_seconds_sum');
      expect(count?.value).toBe(1);
      expect(sum?.value).toBeGreaterThanOrEqual(90);
    } finally {
      await h.close();
    }
  });
});
