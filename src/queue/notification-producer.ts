import type { Queue } from 'bullmq';
import type { NotificationKind } from '../domain/restore-request';
import type { ConfirmReplicated } from '../redis/replica-confirmation';
import type { NotificationJob } from './queues';

/** BullMQ job ids may not contain `:`; request ids never do, kinds never do. */
export function notificationJobId(requestId: string, kind: NotificationKind): string {
  return `${requestId}-${kind}`;
}

/** The restore event that decided the notifications, when one did (not the reconciler's own findings). */
export interface NotificationCause {
  /** The SNS message that delivered the event, so logs follow one delivery to its email. */
  readonly snsMessageId?: string | null;
  /** S3's ISO time of the event: where the end-to-end latency of the email starts. */
  readonly eventTime?: string;
}

/** The one store operation the producer needs (the correlate store implements it). */
export interface MarkQueued {
  /** Marks notifications queued (their jobs exist); returns how many were still pending. */
  markQueued(id: string, kinds: readonly NotificationKind[]): Promise<number>;
}

export type QueueNotifications = (
  requestId: string,
  kinds: readonly NotificationKind[],
  cause?: NotificationCause,
) => Promise<void>;

/**
 * Moves decided notifications from a request's outbox to the `notifications` queue. The job id
 * makes a second add of the same notification a no-op while the job is kept, and the notification
 * worker's claim stops a second email after that; so this may run as often as needed (after a
 * crash, from the reconciler's outbox sweep). Only once the job exists (with REDIS_WAIT_REPLICAS: on
 * the replicas of the queue's primary too, which under Cluster is not the store's) is the outbox
 * entry cleared, so a failover cannot lose a job whose outbox entry is gone.
 */
export function createNotificationProducer(
  queue: Queue<NotificationJob, void, string>,
  store: MarkQueued,
  confirmReplicated?: ConfirmReplicated,
): QueueNotifications {
  return async (requestId, kinds, cause = {}) => {
    if (kinds.length === 0) return;
    // Optional fields: jobs queued without them (older code, the reconciler) are still valid.
    const traced = {
      ...(cause.snsMessageId ? { snsMessageId: cause.snsMessageId } : {}),
      ...(cause.eventTime ? { eventTime: cause.eventTime } : {}),
    };
    const jobs = kinds.map((kind) => ({
      name: kind,
      data: { requestId, kind, ...traced },
      opts: { jobId: notificationJobId(requestId, kind) },
    }));
    // One job, the usual case, is one script call; addBulk wraps even one in MULTI/EXEC.
    const [only] = jobs;
    if (jobs.length === 1 && only) await queue.add(only.name, only.data, only.opts);
    else await queue.addBulk(jobs);
    await confirmReplicated?.(queue.toKey('id'));
    await store.markQueued(requestId, kinds);
  };
}
