import { loadRedisConfig } from '../config';
import { createLogger } from '../logger';
import { createQueues } from '../queue/queues';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection';
import type { RedisClient } from '../redis/redis-connection';
import type { ThawQueues } from '../queue/queues';
import { migrateKeyLayout } from '../upgrade/key-layout-migration';

/** What a CLI command opens on Redis: one connection and thaw's queues over it. */
export interface CliQueues {
  readonly redis: RedisClient;
  /** THAW_PREFIX, as the service uses it. */
  readonly prefix: string;
  readonly queues: ThawQueues;
  /** Closes the queues, then the connection. */
  close(): Promise<void>;
}

/**
 * Opens Redis (REDIS_URL, and REDIS_CLUSTER_NODES or REDIS_SENTINELS) and the queues (THAW_PREFIX)
 * as the service does, for a one-shot command. Keys of an earlier layout are moved first
 * (src/upgrade/, as the service does at start): an operator command may be the first thing run
 * after an upgrade and must see the jobs queued before it, and the queues open only afterwards
 * because a Queue writes its `meta` under the new names as it connects, which would block the old.
 * Each command fails at most one retry after Redis goes away, and its error reaches the command;
 * the `error` listeners only stop ioredis and BullMQ from reporting it a second time.
 */
export async function openCliQueues(env: Record<string, string | undefined>): Promise<CliQueues> {
  const redisConfig = loadRedisConfig(env);
  const logger = createLogger({ level: 'silent' });
  // Its `error` listener logs (silently here): the command itself reports the failure.
  const redis = createRedisConnection(redisConfig, 'command', logger, 'cli');
  try {
    await migrateKeyLayout({
      redis,
      prefix: redisConfig.prefix,
      logger,
      cluster: redisConfig.topology.kind === 'cluster',
    });
  } catch (error) {
    await closeRedisConnection(redis);
    throw error;
  }
  // createQueues puts an `error` listener on every queue.
  const queues = createQueues(redis, redisConfig.prefix, logger);
  return {
    redis,
    prefix: redisConfig.prefix,
    queues,
    async close() {
      await queues.close();
      await closeRedisConnection(redis);
    },
  };
}
