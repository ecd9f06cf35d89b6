import type { Queue } from 'bullmq';
import type { NotificationKind } from '../domain/restore-request';
import type { RestoreStore } from '../correlate/restore-store';
import type { NotificationJob } from './queues';

/** BullMQ job ids may not contain `:`; request ids never do, kinds never do. */
export function notificationJobId(requestId: string, kind: NotificationKind): string {
  return `${requestId}-${kind}`;
}

export type QueueNotifications = (
  requestId: string,
  kinds: readonly NotificationKind[],
  cause?: { readonly snsMessageId?: string | null },
) => Promise<void>;

/**
 * Moves decided notifications from a request's outbox to the `notifications` queue. The job id
 * makes a second add of the same notification a no-op while the job is kept, and the notification
 * worker's claim stops a second email after that; so this may run as often as needed (after a
 * crash, from the reconciler's outbox sweep). Only once the job exists is the outbox entry cleared.
 */
export function createNotificationProducer(
  queue: Queue<NotificationJob, void, string>,
  store: Pick<RestoreStore, 'markQueued'>,
): QueueNotifications {
  return async (requestId, kinds) => {
    if (kinds.length === 0) return;
    await queue.addBulk(
      kinds.map((kind) => ({
        name: kind,
        data: { requestId, kind },
        opts: { jobId: notificationJobId(requestId, kind) },
      })),
    );
    await store.markQueued(requestId, kinds);
  };
}
