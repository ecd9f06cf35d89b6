import { Cluster } from 'ioredis';
import { UnavailableError, toError } from '../errors';
import type { RedisClient } from './redis-connection';
import type { FailoverWatch } from './sentinel-failovers';

/**
 * Resolves once the writes this connection made so far are held by the configured number of
 * replicas (Redis `WAIT`); rejects with UnavailableError (→ 503, or a job retry) otherwise.
 * `routingKey` names a key of the slot that was written: under Cluster, WAIT must reach the very
 * primary that took the writes, and a pipeline goes where its keyed command goes.
 */
export type ConfirmReplicated = (routingKey: string) => Promise<void>;

export interface ReplicaWaitOptions {
  /** REDIS_WAIT_REPLICAS; 0 confirms at once. */
  readonly replicas: number;
  /** Longest wait for the replicas, in milliseconds. */
  readonly timeoutMs: number;
  /** Under Sentinel: a confirmation overlapping a failover does not count (sentinel-failovers.ts). */
  readonly failovers?: FailoverWatch;
}

/**
 * WAIT counts only the writes of the connection it is sent on, so it goes through the same client
 * (and, under Cluster, the same node connection) as the writes it confirms. Concurrent callers
 * need no coordination: Redis answers each WAIT as soon as the replicas hold everything written
 * before it, so WAITs queued behind one another return together.
 */
export function createReplicaConfirmation(
  redis: RedisClient,
  options: ReplicaWaitOptions,
): ConfirmReplicated {
  const { replicas, timeoutMs, failovers } = options;
  if (replicas <= 0) return async () => undefined;
  const refuseDuringFailover = (epochBefore: number) => {
    if (failovers && (failovers.underWay || failovers.epoch !== epochBefore))
      throw new UnavailableError(
        'redis_failover',
        'a Redis failover is under way: the write is not confirmed',
      );
  };
  return async (routingKey) => {
    const epochBefore = failovers?.epoch ?? 0;
    refuseDuringFailover(epochBefore);
    let confirmed: number;
    try {
      confirmed = await waitOn(redis, routingKey, replicas, timeoutMs);
    } catch (error) {
      throw new UnavailableError(
        'redis_unavailable',
        `could not confirm the write on ${replicas} replica(s): ${toError(error).message}`,
        error,
      );
    }
    if (confirmed < replicas) {
      throw new UnavailableError(
        'redis_not_replicated',
        `${confirmed} of ${replicas} Redis replica(s) confirmed the write within ${timeoutMs} ms`,
      );
    }
    refuseDuringFailover(epochBefore);
  };
}

async function waitOn(
  redis: RedisClient,
  routingKey: string,
  replicas: number,
  timeoutMs: number,
): Promise<number> {
  if (!(redis instanceof Cluster)) return Number(await redis.call('WAIT', replicas, timeoutMs));
  const results = await redis.pipeline().exists(routingKey).call('WAIT', replicas, timeoutMs).exec();
  const [, waited] = results ?? [];
  if (!waited) throw new Error('WAIT got no answer');
  const [error, count] = waited;
  if (error) throw error;
  return Number(count);
}
