import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { ThawError } from '../errors';
import type { Logger } from '../logger';
import type { RedisClient } from '../redis/redis-connection';

/**
 * BullMQ's production guide: `maxmemory-policy noeviction` is the only setting under which Redis
 * never silently deletes queue keys (an evicted job is a lost event or email). thaw checks at
 * start, on every primary of a Cluster: a warning, or a refusal to start with
 * THAW_STRICT_REDIS=true. Managed Redis services that forbid CONFIG GET (ElastiCache) get a
 * warning that the policy could not be read.
 */
export async function checkEvictionPolicy(
  redis: RedisClient,
  strict: boolean,
  logger: Logger,
): Promise<void> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let policy: string | undefined;
    try {
      const answer = (await node.config('GET', 'maxmemory-policy')) as string[];
      policy = answer[1];
    } catch (error) {
      logger.warn(
        { err: error },
        'could not read Redis maxmemory-policy (CONFIG GET refused?): make sure it is noeviction',
      );
      return;
    }
    if (policy === 'noeviction') continue;
    const message = `Redis maxmemory-policy is ${policy ?? 'unknown'}; it must be noeviction, or Redis may evict queued events and emails`;
    if (strict) throw new ThawError('redis_eviction_policy', message, { retryable: false });
    logger.warn({ maxmemoryPolicy: policy, node: `${node.options.host}:${node.options.port}` }, message);
    return;
  }
}
