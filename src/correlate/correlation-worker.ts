import type { Job } from 'bullmq';
import type { QueuedRestoreEvent } from '../domain/types';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { describeActiveSpan } from '../observability/spans';
import type { QueueNotifications } from '../queue/notification-producer';
import { eventToCorrelate } from './event-key';
import type { RestoreStore } from './restore-store';

export interface CorrelationDeps {
  readonly store: Pick<RestoreStore, 'applyEvent' | 'listIdsByObject'>;
  readonly queueNotifications: QueueNotifications;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * Processes one `restore-events` job: applies the event to every request waiting on the object
 * (one atomic Redis step), then queues the notifications it decided. If queueing fails, the job is
 * retried; the store answers "duplicate" for the event and still reports the undelivered
 * notifications, so nothing is decided twice and nothing decided is lost.
 */
export function createCorrelationProcessor(deps: CorrelationDeps) {
  return async (job: Job<QueuedRestoreEvent, void, string>): Promise<void> => {
    const { snsMessageId, receivedAt } = job.data;
    const event = await eventToCorrelate(job.data.event, (bucket, key, versionId) =>
      deps.store.listIdsByObject(bucket, key, versionId),
    );
    const eventId = job.id ?? '';
    const result = await deps.store.applyEvent(event, eventId, { receivedAt: Date.parse(receivedAt) });
    describeActiveSpan({ 'thaw.event.kind': event.kind, 'thaw.requests.matched': result.matched });
    if (result.matched === 0) deps.metrics.correlationOutcomes.inc({ outcome: 'unmatched' });
    // The step also took unmatched events whose window ended off the early-event index.
    if (result.unmatchedDropped > 0) deps.metrics.unmatchedEventsDropped.inc(result.unmatchedDropped);
    for (const outcome of result.outcomes) {
      deps.metrics.correlationOutcomes.inc({ outcome: outcome.effect });
      await deps.queueNotifications(outcome.requestId, outcome.pending, {
        snsMessageId,
        eventTime: event.eventTime,
      });
      for (const kind of outcome.pending) deps.metrics.notificationsQueued.inc({ kind });
    }
    deps.logger.info(
      {
        snsMessageId,
        eventId,
        kind: event.kind,
        bucket: event.bucket,
        key: event.key,
        versionId: event.versionId,
        matched: result.matched,
        requests: result.outcomes.map((outcome) => ({
          requestId: outcome.requestId,
          effect: outcome.effect,
          notify: outcome.pending,
        })),
      },
      result.matched === 0 ? 'restore event matched no request yet' : 'restore event correlated',
    );
  };
}
