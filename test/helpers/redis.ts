import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test file (or earlier run) uses, so files can share one Redis safely. */
export function uniquePrefix(file: string): string {
  // A colon inside, as operators often write prefixes: every test runs with one.
  return `thawtest:${file}-${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes every key under a prefix (BullMQ's and thaw's own, which wrap it in hash tags: `{<prefix>}:`,
 * `{<prefix>:<queue>}:`), and under the prefixes a test file derives from its own (`<prefix>-1`,
 * `<prefix>-offline`): the random part keeps other files' keys apart.
 */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** A connection as BullMQ workers need it (commands wait for reconnection instead of failing). */
export function testWorkerRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
}
