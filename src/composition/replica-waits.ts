import type { NotificationState } from '../notify/notification-state';
import type { RedisClient } from '../redis/redis-connection';
import { createReplicaConfirmation } from '../redis/replica-confirmation';
import type { ConfirmReplicated } from '../redis/replica-confirmation';
import { watchSentinelFailovers } from '../redis/sentinel-failovers';
import type { Shared } from './shared';

/**
 * REDIS_WAIT_REPLICAS, applied where a write is about to be relied on: before `/sns` answers 200
 * or `/v1/restores` 201, before a finished event job lets BullMQ forget it, before an outbox entry
 * is cleared, and on both sides of the SES call. With 0 replicas every confirmation is immediate.
 */
export interface ReplicaWaits {
  /** REDIS_WAIT_REPLICAS > 0: without it the wrappers below hand back what they were given. */
  readonly enabled: boolean;
  /** Confirms the writes to the slot of `routingKey` (a queue's key: `queue.toKey('id')`). */
  readonly confirm: ConfirmReplicated;
  /** Confirms thaw's own writes: the store is one hash tag, so any of its keys routes there. */
  store(): Promise<void>;
}

export function replicaWaits(shared: Shared, redis: RedisClient): ReplicaWaits {
  const { config } = shared;
  const failovers =
    config.redis.waitReplicas > 0 ? watchSentinelFailovers(config.redis, shared.logger) : undefined;
  if (failovers) shared.shutdown.add('sentinel failover watch', () => failovers.close());
  const confirm = createReplicaConfirmation(redis, {
    replicas: config.redis.waitReplicas,
    timeoutMs: config.events.enqueueTimeoutMs,
    ...(failovers ? { failovers } : {}),
  });
  const storeKey = shared.keys.layout;
  return { enabled: config.redis.waitReplicas > 0, confirm, store: () => confirm(storeKey) };
}

/** A job processor whose effect on the store is confirmed before BullMQ may forget the job. */
export function confirmedAfter<J>(processJob: (job: J) => Promise<void>, waits: ReplicaWaits) {
  if (!waits.enabled) return processJob;
  return async (job: J): Promise<void> => {
    await processJob(job);
    await waits.store();
  };
}

/**
 * The claim must be on the replicas before SES is called (else a failover forgets it and another
 * attempt sends again), and so must the sent record before the job is let go (else the new primary
 * sees only the claim; the in-doubt rule then waits for SES's Send event rather than resend).
 */
export function confirmingNotificationState(
  state: NotificationState,
  waits: ReplicaWaits,
): NotificationState {
  if (!waits.enabled) return state;
  const confirmStore = () => waits.store();
  return {
    ...state,
    async claim(requestId, kind, token, inDoubtMs) {
      const claimed = await state.claim(requestId, kind, token, inDoubtMs);
      const { outcome } = claimed;
      try {
        await confirmStore();
      } catch (error) {
        // Nothing was sent: give the claim back so the retry need not wait out the in-doubt time.
        if (outcome === 'claimed' || outcome === 'retaken')
          await state.release(requestId, kind, token).catch(() => undefined);
        throw error;
      }
      return claimed;
    },
    async recordSent(...args) {
      const recorded = await state.recordSent(...args);
      await confirmStore();
      return recorded;
    },
  };
}
