import { Queue } from 'bullmq';
import type { DefaultJobOptions, Telemetry } from 'bullmq';
import type { RedisClient } from '../redis/redis-connection';
import type { NotificationKind } from '../domain/restore-request';
import type { QueuedRestoreEvent } from '../domain/types';
import type { Logger } from '../logger';
import { queuePrefix } from '../keys';
import { QUEUE_NAMES } from './queue-names';

/** A `notifications` job: send the email of one kind for one request (job id `<requestId>-<kind>`). */
export interface NotificationJob {
  readonly requestId: string;
  readonly kind: NotificationKind;
  /** The SNS message whose event decided it, so logs follow one delivery through every stage. */
  readonly snsMessageId?: string;
  /**
   * S3's ISO time of the event that decided it, where `thaw_end_to_end_latency_seconds` starts.
   * Absent from jobs queued before it existed and from the reconciler's: no latency is observed.
   */
  readonly eventTime?: string;
}

/** A `maintenance` job: reconciliation runs from a job scheduler. */
export interface MaintenanceJob {
  readonly task: 'reconcile';
}

/**
 * Retry policy lives here, once: transient failures retry with exponential backoff and jitter;
 * a job that throws a non-retryable error is failed at once by the worker boundary. Failed jobs
 * stay a week for inspection.
 *
 * A finished event job is deleted at once: nothing reads it (the request's history records what
 * the event did), and duplicates are stopped by the deduplication key, which outlives the job
 * (event-producer.ts). Kept, each cost ~2 KB of Redis and BullMQ's age and count trimming ran on
 * every completion.
 */
export const RESTORE_EVENT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 86400 },
};

/**
 * Emails retry longer: an SES outage of an hour must not lose one (about 9 hours in all). The last
 * 1,000 sent stay on the board for a day (about 2 KB each: ~2 MB at most); the request itself
 * records every email it was sent, with SES's MessageId, for as long as it lives.
 */
export const NOTIFICATION_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 14,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: 86400, count: 1000 },
  removeOnFail: { age: 14 * 86400 },
};

export const MAINTENANCE_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

/**
 * BullMQ's `telemetry` option (observability/queue-telemetry.ts): when set, each job's options
 * carry the trace context of the step that added it (`tm`), and its processing continues that
 * trace. Jobs without it (tracing off, or queued before) start a trace of their own.
 */
export type QueueTelemetry = Telemetry;

export interface ThawQueues {
  readonly restoreEvents: Queue<QueuedRestoreEvent, void, string>;
  readonly notifications: Queue<NotificationJob, void, string>;
  readonly maintenance: Queue<MaintenanceJob, void, string>;
  close(): Promise<void>;
}

/** thaw's three queues; `prefix` is THAW_PREFIX, each queue gets its own hash tag (keys.ts). */
export function createQueues(
  connection: RedisClient,
  prefix: string,
  logger: Logger,
  telemetry?: QueueTelemetry,
): ThawQueues {
  // Not `skipWaitingForReady`: BullMQ's first INFO would fail while Redis is still connecting and
  // poison the queue for good. Waiting is bounded by the producers' own timeouts (503), and once
  // connected, a request connection fails fast (no offline queue) during outages.
  // thaw reads no queue events (no QueueEvents listener); the stream stays short for Bull Board.
  const common = { connection, streams: { events: { maxLen: 100 } } };
  // Not the maintenance queue: its scheduler copies the first job's trace context into every
  // later run, making one endless trace. Each reconciliation run starts a trace of its own.
  const traced = { ...common, ...(telemetry ? { telemetry } : {}) };
  const restoreEvents = new Queue<QueuedRestoreEvent, void, string>(QUEUE_NAMES.restoreEvents, {
    ...traced,
    prefix: queuePrefix(prefix, QUEUE_NAMES.restoreEvents),
    defaultJobOptions: RESTORE_EVENT_JOB_OPTIONS,
  });
  const notifications = new Queue<NotificationJob, void, string>(QUEUE_NAMES.notifications, {
    ...traced,
    prefix: queuePrefix(prefix, QUEUE_NAMES.notifications),
    defaultJobOptions: NOTIFICATION_JOB_OPTIONS,
  });
  const maintenance = new Queue<MaintenanceJob, void, string>(QUEUE_NAMES.maintenance, {
    ...common,
    prefix: queuePrefix(prefix, QUEUE_NAMES.maintenance),
    defaultJobOptions: MAINTENANCE_JOB_OPTIONS,
  });
  const all = [restoreEvents, notifications, maintenance];
  for (const queue of all) {
    queue.on('error', (error) => logger.error({ err: error, queue: queue.name }, 'queue error'));
  }
  return {
    restoreEvents,
    notifications,
    maintenance,
    async close() {
      await Promise.all(all.map((queue) => queue.close()));
    },
  };
}
