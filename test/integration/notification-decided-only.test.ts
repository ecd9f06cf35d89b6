import type { Redis } from 'ioredis';
import { createRedisKeys } from '../../src/keys';
import type { Mailer, OutgoingEmail } from '../../src/notify/mailer';
import { eventually } from '../helpers/eventually';
import { startNotificationHarness } from '../helpers/notification-harness';
import type { NotificationHarness } from '../helpers/notification-harness';
import { deletePrefix, testRedis, testWorkerRedis, uniquePrefix } from '../helpers/redis';

/**
 * The notification worker sends only what the store decided: a job whose (request, kind) the
 * correlation step never marked (`n:<kind>` pending or queued) is dropped and logged. A job added
 * by hand on the operator board, or by anyone who can write to the queue, cannot make thaw tell a
 * customer that a healthy restore failed.
 */
const prefix = uniquePrefix('decided-only');
let redis: Redis;
let workerRedis: Redis;
let harness: NotificationHarness;
const sent: OutgoingEmail[] = [];
const mailer: Mailer = {
  async send(email) {
    sent.push(email);
    return { messageId: `msg-${sent.length}` };
  },
};
const keys = createRedisKeys(prefix);

beforeAll(async () => {
  redis = testRedis();
  workerRedis = testWorkerRedis();
  harness = await startNotificationHarness({ redis, workerRedis, prefix, mailer });
});
afterAll(async () => {
  await harness.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await workerRedis.quit();
});
beforeEach(() => {
  sent.length = 0;
});

async function finished(jobId: string): Promise<string> {
  return eventually(async () => {
    const state = await harness.queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') throw new Error(`job ${jobId} is ${state}`);
    return state;
  });
}

describe('the notification worker sends only what the store decided', () => {
  it('drops a hand-added job for a kind the store never decided: no email, no record', async () => {
    const id = await harness.completedRequest('healthy@example.com');
    await harness.queue.add('failed', { requestId: id, kind: 'failed' }, { jobId: 'board-added-failed' });
    expect(await finished('board-added-failed')).toBe('completed');
    expect(sent).toEqual([]);
    expect(await redis.hexists(keys.request(id), 'n:failed')).toBe(0);
    expect((await harness.store.get(id))?.notifications.map((n) => n.kind)).toEqual(['completed']);
  });

  it('drops a job naming a kind thaw does not know, or no request at all, writing nothing', async () => {
    const id = await harness.completedRequest('odd@example.com');
    await harness.queue.add('x', { requestId: id, kind: 'bogus' } as never, { jobId: 'board-added-bogus' });
    await harness.queue.add('x', { kind: 'completed' } as never, { jobId: 'board-added-empty' });
    await finished('board-added-bogus');
    await finished('board-added-empty');
    expect(sent).toEqual([]);
    expect(Object.keys(await redis.hgetall(keys.request(id))).filter((f) => f.startsWith('n:'))).toEqual([
      'n:completed',
    ]);
  });

  it('sends a decided notification whose job runs before it was marked queued (state pending)', async () => {
    // The producer adds the job first and marks it queued after: a fast worker sees `pending`.
    const id = await harness.completedRequest('pending@example.com');
    expect(JSON.parse((await redis.hget(keys.request(id), 'n:completed')) ?? '{}')).toEqual({ s: 'pending' });
    await harness.queue.add('completed', { requestId: id, kind: 'completed' }, { jobId: `${id}-completed` });
    expect(await finished(`${id}-completed`)).toBe('completed');
    expect(sent.map((email) => email.to)).toEqual(['pending@example.com']);
  });

  it('an operator’s retry reopens a failed notification only, never an undecided or sent one', async () => {
    const id = await harness.completedRequest('retry@example.com');
    const field = (kind: string) => redis.hget(keys.request(id), `n:${kind}`);
    await harness.state.reset(id, 'failed');
    expect(await field('failed')).toBeNull();
    await redis.hset(
      keys.request(id),
      'n:completed',
      '{"s":"sent","id":"m-1","at":"2026-01-01T00:00:00.000Z"}',
    );
    await harness.state.reset(id, 'completed');
    expect(JSON.parse((await field('completed')) ?? '{}')).toMatchObject({ s: 'sent' });
    await redis.hset(keys.request(id), 'n:completed', '{"s":"failed","r":"MessageRejected: no"}');
    await harness.state.reset(id, 'completed');
    expect(JSON.parse((await field('completed')) ?? '{}')).toEqual({ s: 'queued' });
  });

  it('sends a notification queued by the previous version (state queued, outbox cleared)', async () => {
    const id = await harness.completedRequest('inflight@example.com');
    // What markQueued of every earlier version left behind for a job still waiting in the queue.
    await redis.hset(keys.request(id), 'n:completed', '{"s":"queued"}');
    await redis.zrem(keys.outbox, `${id}|completed`);
    await harness.queue.add('completed', { requestId: id, kind: 'completed' }, { jobId: `${id}-completed` });
    expect(await finished(`${id}-completed`)).toBe('completed');
    expect(sent.map((email) => email.to)).toEqual(['inflight@example.com']);
    expect((await harness.store.get(id))?.notifications).toEqual([
      expect.objectContaining({ kind: 'completed', state: 'sent', messageId: 'msg-1' }),
    ]);
  });
});
