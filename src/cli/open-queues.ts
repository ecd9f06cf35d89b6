import { Redis } from 'ioredis';
import { loadRedisConfig } from '../config';
import { createLogger } from '../logger';
import { createQueues } from '../queue/queues';
import type { ThawQueues } from '../queue/queues';

/** What a CLI command opens on Redis: one connection and thaw's queues over it. */
export interface CliQueues {
  readonly redis: Redis;
  /** THAW_PREFIX, as the service uses it. */
  readonly prefix: string;
  readonly queues: ThawQueues;
  /** Closes the queues, then the connection. */
  close(): Promise<void>;
}

/**
 * Opens Redis (REDIS_URL) and the queues (THAW_PREFIX) as the service does, for a one-shot
 * command. Each command fails at most one retry after Redis goes away, and its error reaches the
 * command; the `error` listeners only stop ioredis and BullMQ from reporting it a second time as
 * an unhandled error event.
 */
export function openCliQueues(env: Record<string, string | undefined>): CliQueues {
  const redisConfig = loadRedisConfig(env);
  const logger = createLogger({ level: 'silent' });
  const redis = new Redis(redisConfig.url, { maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => logger.error({ err: error }, 'redis connection error'));
  // createQueues puts an `error` listener on every queue.
  const queues = createQueues(redis, redisConfig.prefix, logger);
  return {
    redis,
    prefix: redisConfig.prefix,
    queues,
    async close() {
      await queues.close();
      await redis.quit();
    },
  };
}
