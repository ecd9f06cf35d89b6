import type { Redis } from 'ioredis';
import { runFailed } from '../../src/cli/failed-command';
import { runSending } from '../../src/cli/sending-command';
import { runSimulate } from '../../src/cli/simulate-command';
import { Queue } from 'bullmq';
import { queuePrefix } from '../../src/keys';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { TEST_TOKEN, restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { TOPIC_ARN, startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/** What operators use: Bull Board, /metrics, and the thaw CLI (simulate, failed, sending). */
const prefix = uniquePrefix('operator-view');
let world: SnsWorld;
let ses: SesEmulator;
let thaw: TestThaw;
let redis: Redis;
const lines: string[] = [];
const io = { out: (line: string) => void lines.push(line) };
const cliEnv = { REDIS_URL: 'redis://127.0.0.1:6379', THAW_PREFIX: prefix };

beforeAll(async () => {
  world = await startSnsWorld();
  ses = await startSesEmulator();
  redis = testRedis();
  thaw = await startTestThaw(prefix, {
    ...world.env,
    THAW_ROLE: 'serve',
    SES_ENDPOINT: ses.endpoint,
    ADMIN_TOKEN: 'admin-token-0123456789abcdef',
  });
});
afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await ses.stop();
  await world.close();
});
beforeEach(() => {
  lines.length = 0;
});

describe('Bull Board at /admin/queues', () => {
  it('answers 401 without a token, 200 (read-only) with the API token and 200 with the admin token, as Bearer or Basic', async () => {
    const none = await thaw.app.inject({ url: '/admin/queues' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    expect(
      (await thaw.app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${TEST_TOKEN}` } }))
        .statusCode,
    ).toBe(200);
    const bearer = await thaw.app.inject({
      url: '/admin/queues',
      headers: { authorization: 'Bearer admin-token-0123456789abcdef' },
    });
    expect(bearer.statusCode).toBe(200);
    expect(bearer.body).toContain('thaw queues');
    const basic = Buffer.from('ops:admin-token-0123456789abcdef').toString('base64');
    const api = await thaw.app.inject({
      url: '/admin/queues/api/queues',
      headers: { authorization: `Basic ${basic}` },
    });
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: { name: string }[] }).queues.map((queue) => queue.name).sort();
    expect(names).toEqual(['maintenance', 'notifications', 'restore-events']);
  });
});

describe('thaw simulate', () => {
  it('plays a restore through a running thaw; every stage shows in /metrics', async () => {
    const flow = restoreFlow(thaw.app, world.signer);
    const id = await flow.register({
      bucket: 'ops-bucket',
      key: 'simulated file.txt',
      recipient: { email: 'ops@example.com' },
    });
    const code = await runSimulate(
      [
        '--url',
        `${thaw.url}/sns`,
        '--bucket',
        'ops-bucket',
        '--key',
        'simulated file.txt',
        '--kind',
        'all',
        '--topic-arn',
        TOPIC_ARN,
        '--signature-version',
        '1',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(lines.filter((line) => line.includes(': 200 '))).toHaveLength(2);
    await eventually(async () =>
      expect((await flow.read(id)).notifications.filter((n) => n.state === 'sent')).toHaveLength(2),
    );
    const metrics = (await thaw.app.inject({ url: '/metrics' })).body;
    for (const family of [
      'thaw_sns_messages_total',
      'thaw_s3_events_total',
      'thaw_enqueue_duration_seconds',
      'thaw_correlation_outcomes_total',
      'thaw_notifications_queued_total',
      'thaw_emails_total',
      'thaw_email_send_duration_seconds',
      'thaw_end_to_end_latency_seconds',
      'thaw_queue_jobs',
      'thaw_queue_oldest_waiting_seconds',
      'thaw_requests_registered_total',
    ]) {
      expect(metrics).toContain(`# TYPE ${family}`);
    }
    expect(metrics).toMatch(/thaw_emails_total\{kind="completed",outcome="sent"\} [1-9]/);
    expect(metrics).toMatch(/thaw_queue_jobs\{queue="notifications",state="completed"\} [1-9]/);
  });

  it('says what is missing and shows help', async () => {
    expect(await runSimulate(['--bucket', 'b'], io)).toBe(2);
    expect(lines.join('\n')).toContain('--bucket and --key are required');
    expect(await runSimulate(['--help'], io)).toBe(0);
  });
});

describe('thaw failed and thaw sending', () => {
  it('lists, retries and drops failed jobs', async () => {
    const queue = new Queue(QUEUE_NAMES.restoreEvents, {
      connection: redis,
      prefix: queuePrefix(prefix, QUEUE_NAMES.restoreEvents),
    });
    // A job whose event no worker can read: it fails for good and waits for an operator.
    await queue.add('initiated', { event: 'not an event' } as never, { jobId: 'ev-broken-1', attempts: 1 });
    await eventually(async () => expect(await queue.getJobState('ev-broken-1')).toBe('failed'));
    expect(await runFailed(['list'], io, cliEnv)).toBe(0);
    expect(lines.join('\n')).toMatch(/restore-events\tev-broken-1\tattempts=1/);
    expect(await runFailed(['drop', 'ev-broken-1', '--queue', 'restore-events'], io, cliEnv)).toBe(0);
    expect(await queue.getJob('ev-broken-1')).toBeUndefined();
    expect(await runFailed(['retry'], io, cliEnv)).toBe(2);
    await queue.close();
  });

  it('pauses and resumes sending', async () => {
    expect(await runSending(['pause'], io, cliEnv)).toBe(0);
    expect(lines.at(-1)).toMatch(/PAUSED/);
    expect(await runSending(['resume'], io, cliEnv)).toBe(0);
    expect(lines.at(-1)).toMatch(/running/);
  });
});
