import { Queue } from 'bullmq';
import type { DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueuedRestoreEvent } from '../domain/types';
import type { Logger } from '../logger';
import { QUEUE_NAMES } from './queue-names';

/**
 * Retry policy lives here, once: transient failures retry with exponential backoff and jitter;
 * a job that throws a non-retryable error is failed at once by the worker boundary. Finished jobs
 * are removed by age so Redis does not grow; failed ones stay a week for inspection.
 */
export const RESTORE_EVENT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 7 * 86400 },
};

export interface ThawQueues {
  readonly restoreEvents: Queue<QueuedRestoreEvent, void, string>;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string, logger: Logger): ThawQueues {
  const restoreEvents = new Queue<QueuedRestoreEvent, void, string>(QUEUE_NAMES.restoreEvents, {
    connection,
    prefix,
    defaultJobOptions: RESTORE_EVENT_JOB_OPTIONS,
    streams: { events: { maxLen: 1000 } },
    // Not `skipWaitingForReady`: BullMQ's first INFO would fail while Redis is still connecting
    // and poison the queue for good. Waiting is bounded by the producer's own timeout (503), and
    // once connected, the request connection fails fast (no offline queue) during outages.
  });
  const all = [restoreEvents];
  for (const queue of all) {
    queue.on('error', (error) => logger.error({ err: error, queue: queue.name }, 'queue error'));
  }
  return {
    restoreEvents,
    async close() {
      await Promise.all(all.map((queue) => queue.close()));
    },
  };
}
