import { STATUS_RANK } from '../domain/restore-request';
import type { NotificationKind, RestoreStatus } from '../domain/restore-request';
import type { RestoreEventKind } from '../domain/types';

/**
 * The correlation rules in plain TypeScript. Redis runs the same rules in Lua (lua/prelude.ts),
 * where they must be atomic; this is the readable statement of them, and the property tests
 * check the Lua against it on random event sequences.
 *
 * Per object: the status only moves to a higher rank (requested < initiated < completed <
 * expired; failed ends it). An event of a lower or equal rank is late and changes nothing, except
 * that a newer `completed` moves the expiry of a completed copy (a restore extended by a new
 * RestoreObject). "Newer" compares S3 sequencers when both events carry one, else event times,
 * against the Completed event that set the current expiry; exact ties go to the later expiry, so
 * among events of one source (S3 notifications always carry sequencers, EventBridge events never
 * do) the order is total and the outcome does not depend on delivery order.
 *
 * A request whose restore thaw started itself knows when (`since`, a minute of clock slack
 * before the start): an event timed earlier tells of an earlier restore of the object, or is an old
 * message replayed after its dedupe record expired, and is late for it whatever its kind.
 *
 * Per request (several objects): `failed` when every object failed, else `expired` as soon as any
 * copy expired, else `completed` when every object not failed is ready, else `initiated` once any
 * started, else `requested`. A request's status only moves up too, and each move up decides at
 * most one email of that kind (`failed` too: nobody is left waiting on a restore that will not come).
 */
export interface ObjectModel {
  readonly status: RestoreStatus;
  readonly expiryMs: number | null;
  /** Sequencer and event time of the Completed event that set `expiryMs`. */
  readonly expirySequencer: string | null;
  readonly expiryEventTimeMs: number | null;
}

export interface EventModel {
  readonly kind: RestoreEventKind | 'failed';
  readonly sequencer: string | null;
  readonly eventTimeMs: number;
  readonly expiryMs: number | null;
}

export type Effect = 'applied' | 'updated' | 'late';

export function sequencerAfter(a: string, b: string): boolean {
  const width = Math.max(a.length, b.length);
  return a.toUpperCase().padEnd(width, '0') > b.toUpperCase().padEnd(width, '0');
}

export function newerCompletion(event: EventModel, object: ObjectModel): boolean {
  if (object.expiryEventTimeMs === null) return true;
  const bothSequenced = event.sequencer !== null && object.expirySequencer !== null;
  if (bothSequenced && event.sequencer!.toUpperCase() !== object.expirySequencer!.toUpperCase()) {
    return sequencerAfter(event.sequencer!, object.expirySequencer!);
  }
  if (!bothSequenced && event.eventTimeMs !== object.expiryEventTimeMs)
    return event.eventTimeMs > object.expiryEventTimeMs;
  return (event.expiryMs ?? 0) > (object.expiryMs ?? 0);
}

export function applyToObject(
  object: ObjectModel,
  event: EventModel,
  sinceMs: number | null = null,
): { object: ObjectModel; effect: Effect } {
  if (sinceMs !== null && event.eventTimeMs < sinceMs) return { effect: 'late', object };
  const terminal = object.status === 'failed' || object.status === 'expired';
  if (!terminal && STATUS_RANK[event.kind] > STATUS_RANK[object.status]) {
    const completes = event.kind === 'completed';
    return {
      effect: 'applied',
      object: completes ? withExpiry(object, event, event.kind) : { ...object, status: event.kind },
    };
  }
  if (
    event.kind === 'completed' &&
    object.status === 'completed' &&
    event.expiryMs !== null &&
    newerCompletion(event, object)
  ) {
    return { effect: 'updated', object: withExpiry(object, event, 'completed') };
  }
  return { effect: 'late', object };
}

function withExpiry(object: ObjectModel, event: EventModel, status: RestoreStatus): ObjectModel {
  return {
    status,
    expiryMs: event.expiryMs,
    expirySequencer: event.sequencer,
    expiryEventTimeMs: event.eventTimeMs,
  };
}

export function deriveRequestStatus(objects: readonly ObjectModel[]): RestoreStatus {
  const count = (status: RestoreStatus) => objects.filter((object) => object.status === status).length;
  const failed = count('failed');
  if (failed >= objects.length) return 'failed';
  if (count('expired') > 0) return 'expired';
  if (count('completed') >= objects.length - failed) return 'completed';
  if (count('initiated') + count('completed') > 0) return 'initiated';
  return 'requested';
}

/** The email a move of the request's status decides, if any. */
export function notificationFor(from: RestoreStatus, to: RestoreStatus): NotificationKind | null {
  if (STATUS_RANK[to] <= STATUS_RANK[from] || to === 'requested') return null;
  return to;
}
