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
  const policies = await readEvictionPolicies(redis);
  if (policies === undefined) {
    logger.warn('could not read Redis maxmemory-policy (CONFIG GET refused?): make sure it is noeviction');
    return;
  }
  const wrong = policies.find(({ policy }) => policy !== 'noeviction');
  if (wrong === undefined) return;
  const message = `Redis maxmemory-policy is ${wrong.policy ?? 'unknown'}; it must be noeviction, or Redis may evict queued events and emails`;
  if (strict) throw new ThawError('redis_eviction_policy', message, { retryable: false });
  logger.warn({ maxmemoryPolicy: wrong.policy, node: wrong.node }, message);
}

/**
 * `thaw_redis_noeviction`, read at each scrape (a policy changed after start shows): 1 when every
 * primary has `noeviction`, 0 when one has another policy, -1 when it cannot be read.
 */
export async function noevictionState(redis: RedisClient): Promise<1 | 0 | -1> {
  const policies = await readEvictionPolicies(redis).catch(() => undefined);
  if (policies === undefined) return -1;
  return policies.every(({ policy }) => policy === 'noeviction') ? 1 : 0;
}

/** Each primary's maxmemory-policy, or undefined when CONFIG GET is refused (ElastiCache). */
async function readEvictionPolicies(
  redis: RedisClient,
): Promise<{ policy: string | undefined; node: string }[] | undefined> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const policies = [];
  for (const node of nodes) {
    try {
      const answer = (await node.config('GET', 'maxmemory-policy')) as string[];
      policies.push({ policy: answer[1], node: `${node.options.host}:${node.options.port}` });
    } catch {
      return undefined;
    }
  }
  return policies;
}
