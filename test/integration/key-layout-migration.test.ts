import { Queue } from 'bullmq';
import type { JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { ThawError } from '../../src/errors';
import { barePrefix, queuePrefix, storePrefix } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { createQueues } from '../../src/queue/queues';
import type { ThawQueues } from '../../src/queue/queues';
import { migrateKeyLayout } from '../../src/upgrade/key-layout-migration';
import type { KeyLayoutMigrationOptions } from '../../src/upgrade/key-layout-migration';
import { globEscape } from '../../src/upgrade/old-layout';
import { capturingLogger } from '../helpers/logs';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';

/**
 * Layout 3 (keys.ts) puts thaw's keys under `{<bare>}:` and each queue's under
 * `{<bare>:<queue>}:<queue>:`. Keys written before it, by thaw and by BullMQ itself, move there at
 * start with their values and TTLs, once, and nothing else on the Redis is touched.
 */
const silent = createLogger({ level: 'silent' });
let redis: Redis;
let other: Redis;
const prefixes: string[] = [];

/** A prefix of this file; its keys are deleted afterwards. */
function freshPrefix(): string {
  const prefix = uniquePrefix('key-layout');
  prefixes.push(prefix);
  return prefix;
}

beforeAll(() => {
  redis = testRedis();
  other = testRedis();
});

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  await redis.quit();
  await other.quit();
});

const HOUR = 3600_000;

/** One key of every family thaw writes itself, by its name after the prefix; TTLs where thaw sets them. */
async function writeOldStore(old: string): Promise<string[]> {
  const write = redis.multi();
  write.hset(`${old}:req:r_a1`, 'status', 'initiated');
  write.pexpire(`${old}:req:r_a1`, 30 * 24 * HOUR);
  write.set(`${old}:req:r_a1:spec`, '{"objects":[]}', 'PX', 30 * 24 * HOUR);
  write.rpush(`${old}:req:r_a1:ev`, '{"kind":"initiated"}');
  write.zadd(`${old}:obj:digestA`, 0, 'r_a1');
  write.rpush(`${old}:early:digestB`, '{"kind":"completed"}');
  write.pexpire(`${old}:early:digestB`, 24 * HOUR);
  write.zadd(`${old}:early`, Date.now() + HOUR, 'digestB|ev1');
  write.zadd(`${old}:due`, Date.now() + HOUR, 'r_a1');
  write.zadd(`${old}:remind`, Date.now() + HOUR, 'r_a1');
  write.zadd(`${old}:outbox`, Date.now(), 'r_a1|initiated');
  write.set(`${old}:idem:0123abcd`, '{"v":2,"id":"r_a1"}', 'PX', 24 * HOUR);
  write.set(`${old}:idem:legacy-key:with:colons`, 'r_a1', 'PX', 24 * HOUR);
  write.hset(`${old}:suppressed`, 'bounced@example.com', 'bounce');
  write.set(`${old}:dl:tokenDownload`, '{"id":"r_a1","index":0}', 'PX', 7 * 24 * HOUR);
  write.set(`${old}:page:tokenPage`, 'r_a1', 'PX', 30 * 24 * HOUR);
  await write.exec();
  return [
    ':req:r_a1',
    ':req:r_a1:spec',
    ':req:r_a1:ev',
    ':obj:digestA',
    ':early:digestB',
    ':early',
    ':due',
    ':remind',
    ':outbox',
    ':idem:0123abcd',
    ':idem:legacy-key:with:colons',
    ':suppressed',
    ':dl:tokenDownload',
    ':page:tokenPage',
  ];
}

const STATES: JobType[] = ['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized'];

/** Each queue's jobs as `<queue> <id> <state>`, sorted. */
async function jobStates(queues: readonly Queue[]): Promise<string[]> {
  const found: string[] = [];
  for (const queue of queues) {
    for (const job of await queue.getJobs(STATES)) {
      found.push(`${queue.name} ${job.id} ${await job.getState()}`);
    }
  }
  return found.sort();
}

/**
 * Queues as thaw before layout 3 made them (BullMQ's prefix was THAW_PREFIX itself), with what is
 * in flight at an upgrade: a deduplicated event with its TTL, a waiting and a delayed email, the
 * reconcile job scheduler with its next run delayed.
 */
async function writeOldQueues(old: string): Promise<string[]> {
  const make = (name: string) => new Queue(name, { connection: redis, prefix: old });
  const events = make(QUEUE_NAMES.restoreEvents);
  const notifications = make(QUEUE_NAMES.notifications);
  const maintenance = make(QUEUE_NAMES.maintenance);
  try {
    await events.add('event', { n: 1 }, { jobId: 'ev-one', deduplication: { id: 'ev-one', ttl: 24 * HOUR } });
    await notifications.add('send', { requestId: 'r_a1', kind: 'initiated' }, { jobId: 'r_a1-initiated' });
    await notifications.add(
      'send',
      { requestId: 'r_a1', kind: 'completed' },
      { jobId: 'r_a1-completed', delay: HOUR },
    );
    await maintenance.upsertJobScheduler(
      'reconcile',
      { every: HOUR },
      { name: 'reconcile', data: { task: 'reconcile' } },
    );
    return await jobStates([events, notifications, maintenance]);
  } finally {
    await Promise.all([events.close(), notifications.close(), maintenance.close()]);
  }
}

async function keysMatching(pattern: string): Promise<string[]> {
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    names.push(...found);
  } while (cursor !== '0');
  return names.sort();
}

async function withQueues<T>(prefix: string, work: (queues: ThawQueues) => Promise<T>): Promise<T> {
  const queues = createQueues(redis, prefix, silent);
  try {
    return await work(queues);
  } finally {
    await queues.close();
  }
}

const options = (prefix: string, extra: Partial<KeyLayoutMigrationOptions> = {}) => ({
  redis,
  prefix,
  logger: silent,
  cluster: false,
  ...extra,
});

describe('migrateKeyLayout', () => {
  it('moves every key of the earlier layout, thaw’s and BullMQ’s, keeping values, TTLs and job states', async () => {
    const prefix = freshPrefix();
    const store = await writeOldStore(prefix);
    const jobsBefore = await writeOldQueues(prefix);
    const oldQueueKeys = (
      await Promise.all(Object.values(QUEUE_NAMES).map((q) => keysMatching(`${globEscape(prefix)}:${q}:*`)))
    ).flat();
    const ttlsBefore = new Map<string, number>();
    for (const name of [...store.map((s) => `${prefix}${s}`), ...oldQueueKeys])
      ttlsBefore.set(name, await redis.pttl(name));
    const dedupeKey = `${prefix}:${QUEUE_NAMES.restoreEvents}:de:ev-one`;
    expect(ttlsBefore.get(dedupeKey)).toBeGreaterThan(0);
    const captured = capturingLogger();

    const result = await migrateKeyLayout(options(prefix, { logger: captured.logger }));

    expect(result).toEqual({
      outcome: 'migrated',
      moved: { store: store.length, queue: oldQueueKeys.length, conflicts: 0 },
    });
    // Nothing is left under the old names.
    expect(await keysMatching(`${globEscape(prefix)}:*`)).toEqual([]);
    for (const suffix of store) {
      const moved = `${storePrefix(prefix)}${suffix}`;
      const before = ttlsBefore.get(`${prefix}${suffix}`)!;
      const after = await redis.pttl(moved);
      expect({ moved, exists: await redis.exists(moved) }).toEqual({ moved, exists: 1 });
      if (before < 0) expect(after).toBe(before);
      else expect(after).toBeGreaterThan(before - 60_000);
    }
    expect(await redis.zrange(`${storePrefix(prefix)}:early`, 0, -1)).toEqual(['digestB|ev1']);
    for (const old of oldQueueKeys) {
      const queue = old.slice(prefix.length + 1).split(':')[0]!;
      const moved = `${queuePrefix(prefix, queue)}${old.slice(prefix.length)}`;
      const before = ttlsBefore.get(old)!;
      expect({ moved, exists: await redis.exists(moved) }).toEqual({ moved, exists: 1 });
      if (before > 0) expect(await redis.pttl(moved)).toBeGreaterThan(0);
    }
    expect(
      await redis.pttl(`${queuePrefix(prefix, QUEUE_NAMES.restoreEvents)}:restore-events:de:ev-one`),
    ).toBeGreaterThan(ttlsBefore.get(dedupeKey)! - 60_000);
    expect(await redis.get(`${storePrefix(prefix)}:layout`)).toBe('3');
    expect(await redis.exists(`${storePrefix(prefix)}:layout:migrating`)).toBe(0);
    expect(captured.lines.join('')).toContain(
      `moved store keys ${store.length}, queue keys ${oldQueueKeys.length}`,
    );

    // BullMQ on the new names sees every job where it was, the scheduler and the deduplication.
    await withQueues(prefix, async (queues) => {
      const all = [queues.restoreEvents, queues.notifications, queues.maintenance];
      expect(await jobStates(all)).toEqual(jobsBefore);
      expect(jobsBefore).toEqual(
        expect.arrayContaining([
          'notifications r_a1-completed delayed',
          'notifications r_a1-initiated waiting',
          'restore-events ev-one waiting',
        ]),
      );
      expect(jobsBefore.filter((job) => job.startsWith('maintenance repeat:reconcile:'))).toHaveLength(1);
      expect(await queues.maintenance.getJobScheduler('reconcile')).toEqual(
        expect.objectContaining({ key: 'reconcile', every: HOUR }),
      );
      expect(await queues.restoreEvents.getDeduplicationJobId('ev-one')).toBe('ev-one');
      // A repeated event is still deduplicated against the job made before the upgrade.
      await queues.restoreEvents.add(
        'event',
        // Only the deduplication is looked at: the payload need not be an event.
        { n: 2 } as never,
        { jobId: 'ev-one', deduplication: { id: 'ev-one', ttl: 24 * HOUR } },
      );
      expect(await queues.restoreEvents.getJobCounts('waiting')).toEqual({ waiting: 1 });
    });
  });

  it('does nothing on a second run: the layout is recorded', async () => {
    const prefix = freshPrefix();
    await writeOldStore(prefix);
    await migrateKeyLayout(options(prefix));
    const keys = await keysMatching(`*${globEscape(prefix)}*`);
    // A key written under an old name after the migration is not thaw's to move any more.
    await redis.set(`${prefix}:dl:lateToken`, 'x');
    expect(await migrateKeyLayout(options(prefix))).toEqual({
      outcome: 'current',
      moved: { store: 0, queue: 0, conflicts: 0 },
    });
    expect(await keysMatching(`*${globEscape(prefix)}*`)).toEqual([...keys, `${prefix}:dl:lateToken`].sort());
  });

  it('lets one of two processes migrate while the other waits for it', async () => {
    const prefix = freshPrefix();
    const store = await writeOldStore(prefix);
    const results = await Promise.all([
      migrateKeyLayout(options(prefix)),
      migrateKeyLayout({ ...options(prefix), redis: other }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['migrated', 'waited']);
    expect(results.reduce((sum, r) => sum + r.moved.store, 0)).toBe(store.length);
    expect(await redis.get(`${storePrefix(prefix)}:layout`)).toBe('3');
  });

  it('gives up waiting with a retryable error when the holder never finishes', async () => {
    const prefix = freshPrefix();
    await redis.set(`${storePrefix(prefix)}:layout:migrating`, 'someone-else', 'PX', 10_000);
    const failed = await migrateKeyLayout(options(prefix, { waitMs: 300 })).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ThawError);
    expect(failed).toMatchObject({ code: 'key_layout_migration_timeout', retryable: true });
    expect((failed as Error).message).toContain(`${storePrefix(prefix)}:layout:migrating`);
    expect(await redis.get(`${storePrefix(prefix)}:layout`)).toBeNull();
  });

  it('never touches a neighbour deployment whose prefix starts the same', async () => {
    const prefix = freshPrefix();
    await writeOldStore(prefix);
    const neighbours = [
      `${prefix}:staging:req:x`,
      `${prefix}staging:req:y`,
      `${prefix}:staging:restore-events:id`,
      `${prefix}-b:due`,
    ];
    for (const name of neighbours) await redis.set(name, 'neighbour');
    await migrateKeyLayout(options(prefix));
    for (const name of neighbours)
      expect({ name, value: await redis.get(name) }).toEqual({ name, value: 'neighbour' });
    expect(await keysMatching(`${globEscape(prefix)}:*`)).toEqual(
      [`${prefix}:staging:req:x`, `${prefix}:staging:restore-events:id`].sort(),
    );
  });

  it('moves the queues of a `{prefix}` deployment, whose own keys already had their new names', async () => {
    const bare = freshPrefix();
    const braced = `{${bare}}`;
    const store = await writeOldStore(braced);
    const jobsBefore = await writeOldQueues(braced);
    const result = await migrateKeyLayout(options(braced));
    expect(result.outcome).toBe('migrated');
    expect(result.moved.store).toBe(0);
    expect(result.moved.queue).toBeGreaterThan(0);
    for (const suffix of store) expect(await redis.exists(`${braced}${suffix}`)).toBe(1);
    for (const queue of Object.values(QUEUE_NAMES))
      expect(await keysMatching(`${globEscape(braced)}:${queue}:*`)).toEqual([]);
    expect(barePrefix(braced)).toBe(bare);
    await withQueues(braced, async (queues) => {
      expect(await jobStates([queues.restoreEvents, queues.notifications, queues.maintenance])).toEqual(
        jobsBefore,
      );
    });
  });

  it('leaves an old key whose new name is taken, and names both in a warning', async () => {
    const prefix = freshPrefix();
    await redis.zadd(`${prefix}:due`, 1, 'old-member');
    await redis.zadd(`${storePrefix(prefix)}:due`, 2, 'new-member');
    await redis.set(`${prefix}:page:secretToken`, 'r_old');
    await redis.set(`${storePrefix(prefix)}:page:secretToken`, 'r_new');
    const captured = capturingLogger();
    const result = await migrateKeyLayout(options(prefix, { logger: captured.logger }));
    expect(result.moved).toEqual({ store: 0, queue: 0, conflicts: 2 });
    expect(await redis.zrange(`${prefix}:due`, 0, -1)).toEqual(['old-member']);
    expect(await redis.zrange(`${storePrefix(prefix)}:due`, 0, -1)).toEqual(['new-member']);
    expect(await redis.get(`${storePrefix(prefix)}:page:secretToken`)).toBe('r_new');
    const warnings = captured.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings).toContainEqual(
      expect.objectContaining({ level: 'warn', from: `${prefix}:due`, to: `${storePrefix(prefix)}:due` }),
    );
    // A page token is a customer's link: the warning names its key without it.
    expect(warnings).toContainEqual(
      expect.objectContaining({ from: `${prefix}:page:[token]`, to: `${storePrefix(prefix)}:page:[token]` }),
    );
    expect(captured.lines.join('')).not.toContain('secretToken');
  });

  it('records the layout without moving anything on Redis Cluster', async () => {
    const prefix = freshPrefix();
    await redis.set(`${prefix}:due`, 'not looked at');
    const result = await migrateKeyLayout(options(prefix, { cluster: true }));
    expect(result.outcome).toBe('recorded');
    expect(await redis.get(`${prefix}:due`)).toBe('not looked at');
    expect(await redis.get(`${storePrefix(prefix)}:layout`)).toBe('3');
  });

  it('refuses a Redis that a newer layout was recorded in', async () => {
    const prefix = freshPrefix();
    await redis.set(`${storePrefix(prefix)}:layout`, '4');
    await expect(migrateKeyLayout(options(prefix))).rejects.toMatchObject({
      code: 'key_layout_newer',
      retryable: false,
    });
  });
});
