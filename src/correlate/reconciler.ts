import { contentId } from '../domain/content-id';
import type { ObjectRef } from '../domain/object-ref';
import type { NotificationKind, RestoreRequest } from '../domain/restore-request';
import type { RestoreEvent, RestoreEventKind } from '../domain/types';
import { ThawError, toError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { QueueNotifications } from '../queue/notification-producer';
import { readHead } from '../restore/head-reading';
import type { ObjectRestoreState, S3Restorer } from '../restore/s3-restorer';
import type { RestoreStore } from './restore-store';

export interface ReconcilerOptions {
  readonly store: RestoreStore;
  readonly restorer: S3Restorer;
  readonly queueNotifications: QueueNotifications;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Most requests looked at per run and per list (due, reminders, outbox). */
  readonly batch: number;
  /** How long a restore may take to show up in S3 before it counts as never started, ms. */
  readonly startGraceMs: number;
  /** Grace after the expected time before a request is delayed, ms. */
  readonly overdueMarginMs: number;
  /** How long after a copy's expiry to look for its lost expiry event, ms. */
  readonly expiryCheckMs: number;
  /** How soon to look again at a request still waiting, ms. */
  readonly recheckMs: number;
  /** Outbox entries older than this were not queued by their worker (crash): queue them, ms. */
  readonly outboxGraceMs?: number;
}

export interface ReconcileSummary {
  readonly checked: number;
  readonly reminders: number;
  readonly outbox: number;
  readonly unmatchedDropped: number;
}

/**
 * S3 never reports a stalled or failed restore, and SNS drops deliveries after a few failed
 * retries, so thaw looks for itself. Each run:
 * - queues notifications that were decided but never queued (a worker died in between);
 * - counts and drops events nobody claimed within the early-event window (each event's own step
 *   drops those whose window ended, however many; this catches the last ones when events stop);
 * - decides `expiring` reminders that are due;
 * - looks at every request past its next check time with HeadObject: a restore found finished
 *   moves the request exactly as its lost event would have; one still running past its expected
 *   time gets one `delayed` email; one that never started, or whose object is gone, fails.
 */
export function createReconciler(options: ReconcilerOptions) {
  const { store, metrics, logger } = options;

  async function run(now = Date.now()): Promise<ReconcileSummary> {
    const outbox = await sweepOutbox(now);
    const unmatchedDropped = await store.dropUnmatched(now, options.batch);
    if (unmatchedDropped > 0) metrics.unmatchedEventsDropped.inc(unmatchedDropped);
    let reminders = 0;
    for (const id of await store.remindersDue(now, options.batch)) {
      if (await store.decideNotification(id, 'expiring', ['completed'])) {
        await queue(id, ['expiring']);
        reminders += 1;
      }
      await store.removeReminder(id);
    }
    const due = await store.dueIds(now, options.batch);
    for (const id of due) {
      try {
        await checkRequest(id, now);
      } catch (error) {
        // One request's trouble (Redis blip, S3 outage) must not stop the others; look again later.
        logger.warn({ err: error, requestId: id }, 'reconciliation of a request failed');
        metrics.reconcileChecks.inc({ result: 'error' });
        await store.reschedule(id, now + options.recheckMs).catch(() => undefined);
      }
    }
    return { checked: due.length, reminders, outbox, unmatchedDropped };
  }

  async function sweepOutbox(now: number): Promise<number> {
    const entries = await store.outboxOlderThan(now - (options.outboxGraceMs ?? 30_000), options.batch);
    const byRequest = new Map<string, NotificationKind[]>();
    for (const { id, kind } of entries) byRequest.set(id, [...(byRequest.get(id) ?? []), kind]);
    for (const [id, kinds] of byRequest) await queue(id, kinds);
    return entries.length;
  }

  async function queue(id: string, kinds: readonly NotificationKind[]): Promise<void> {
    await options.queueNotifications(id, kinds);
    for (const kind of kinds) metrics.notificationsQueued.inc({ kind });
  }

  async function checkRequest(id: string, now: number): Promise<void> {
    const request = await store.get(id);
    if (
      !request ||
      request.cancelledAt !== null ||
      request.status === 'expired' ||
      request.status === 'failed'
    ) {
      await store.unschedule(id);
      return;
    }
    let lookSoon = false;
    for (const [index, object] of request.objects.entries()) {
      const state = request.objectStates[index];
      if (!state || !needsLook(state, now)) continue;
      let head: ObjectRestoreState;
      try {
        head = await options.restorer.head(object);
      } catch (error) {
        if (error instanceof ThawError && error.httpStatus === 404) {
          await fail(request, index, 'the object no longer exists in S3');
        } else {
          logger.warn(
            { err: toError(error), requestId: id, bucket: object.bucket, key: object.key },
            'HeadObject failed',
          );
          metrics.reconcileChecks.inc({ result: 'error' });
          lookSoon = true;
        }
        continue;
      }
      await reconcileObject(request, index, object, head, now);
    }
    const after = await store.get(id);
    if (after) await store.reschedule(id, nextLook(after, now, lookSoon));
  }

  function needsLook(state: RestoreRequest['objectStates'][number], now: number): boolean {
    if (state.status === 'requested' || state.status === 'initiated') return true;
    return (
      state.status === 'completed' &&
      state.restoreExpiryTime !== null &&
      Date.parse(state.restoreExpiryTime) <= now
    );
  }

  async function reconcileObject(
    request: RestoreRequest,
    index: number,
    object: ObjectRef,
    head: ObjectRestoreState,
    now: number,
  ): Promise<void> {
    const state = request.objectStates[index]!;
    const reading = readHead(head, now);
    if (reading.state === 'available') {
      // Intelligent-Tiering objects move back to an access tier; others were never archived.
      await found(object, 'completed', head, now, null);
    } else if (reading.state === 'restored') {
      await found(object, 'completed', head, now, reading.expiryDate);
    } else if (state.status === 'completed' || reading.state === 'copy-gone') {
      // The copy's expiry passed (or S3 no longer shows it): its expiry event was lost.
      await found(object, 'expired', head, now, null);
    } else if (reading.state === 'restoring') {
      if (state.status === 'requested') await found(object, 'initiated', head, now, null);
      const expectedBy = state.expectedBy ? Date.parse(state.expectedBy) : null;
      if (expectedBy !== null && now > expectedBy + options.overdueMarginMs) {
        metrics.reconcileChecks.inc({ result: 'delayed' });
        if (await store.decideNotification(request.id, 'delayed', ['requested', 'initiated'])) {
          await queue(request.id, ['delayed']);
        }
      } else {
        metrics.reconcileChecks.inc({ result: 'running' });
      }
    } else if (now - Date.parse(request.createdAt) > options.startGraceMs) {
      await fail(request, index, 'the restore never started: S3 shows no restore for this object');
    } else {
      metrics.reconcileChecks.inc({ result: 'waiting' });
    }
  }

  /** What HeadObject showed becomes an event for the object, as if S3's own had arrived. */
  async function found(
    object: ObjectRef,
    kind: RestoreEventKind,
    head: ObjectRestoreState,
    now: number,
    expiry: string | null,
  ): Promise<void> {
    metrics.reconcileChecks.inc({ result: kind });
    const event: RestoreEvent = {
      kind,
      bucket: object.bucket,
      key: object.key,
      versionId: object.versionId,
      eventTime: new Date(now).toISOString(),
      source: 'reconcile',
      ...(expiry ? { restoreExpiryTime: new Date(expiry).toISOString() } : {}),
      ...(head.storageClass ? { storageClass: head.storageClass } : {}),
    };
    const result = await store.applyEvent(event, syntheticEventId(object, kind, expiry));
    if (result.unmatchedDropped > 0) metrics.unmatchedEventsDropped.inc(result.unmatchedDropped);
    for (const outcome of result.outcomes) await queue(outcome.requestId, outcome.pending);
  }

  async function fail(request: RestoreRequest, index: number, reason: string): Promise<void> {
    metrics.reconcileChecks.inc({ result: 'failed' });
    const object = request.objects[index]!;
    const outcome = await store.failObject(request.id, index, reason);
    await queue(request.id, outcome.pending);
    logger.warn(
      { requestId: request.id, bucket: object.bucket, key: object.key, reason },
      'restore marked failed',
    );
  }

  function nextLook(request: RestoreRequest, now: number, lookSoon: boolean): number {
    const times = request.objectStates.flatMap((state) => {
      if (state.status === 'requested') return [now + options.recheckMs];
      if (state.status === 'initiated') {
        const expectedBy = state.expectedBy ? Date.parse(state.expectedBy) + options.overdueMarginMs : now;
        return [Math.max(now + options.recheckMs, expectedBy)];
      }
      if (state.status === 'completed' && state.restoreExpiryTime) {
        return [
          Math.max(now + options.recheckMs, Date.parse(state.restoreExpiryTime) + options.expiryCheckMs),
        ];
      }
      return [];
    });
    if (lookSoon) times.push(now + options.recheckMs);
    return times.length > 0 ? Math.min(...times) : now + options.recheckMs;
  }

  return { run };
}

/** One id per finding about an object, so applying the same finding twice is a duplicate. */
export function syntheticEventId(object: ObjectRef, kind: RestoreEventKind, expiry: string | null): string {
  return contentId('rc', [object.bucket, object.key, object.versionId, kind, expiry]);
}
