import type { NotificationKind, RestoreRequest, RestoreRequestSpec } from '../domain/restore-request';
import type { RestoreEvent } from '../domain/types';
import type { IdempotencyClaim, IdempotencyUse } from './idempotency-records';

// The restore store's public shapes; restore-store.ts re-exports them.

export interface StoreTuning {
  /** How long finished requests stay readable, ms (REQUEST_RETENTION_SECONDS). */
  readonly retentionMs: number;
  /** Grace after the expected restore time before a request is overdue, ms. */
  readonly overdueMarginMs: number;
  /** How long after a copy's expiry the reconciler checks for a lost expiry event, ms. */
  readonly expiryCheckMs: number;
  /** How long before a copy expires the `expiring` reminder goes out, ms. */
  readonly reminderLeadMs: number;
  /** How long events wait for a request registered after them, ms (EARLY_EVENT_WINDOW_SECONDS). */
  readonly earlyWindowMs: number;
  /** How long an Idempotency-Key of POST /v1/restores is remembered, ms. */
  readonly idempotencyTtlMs: number;
  /** How long a first use holds its Idempotency-Key while S3 is asked, ms. Default 120000. */
  readonly idempotencyClaimMs?: number;
  readonly historyCap: number;
}

/** One object's state as registration found it (from HeadObject/RestoreObject, or `requested`). */
export interface InitialObjectState {
  readonly status: 'requested' | 'initiated' | 'completed' | 'failed';
  /** Expected restore duration for this object's tier and class, ms. */
  readonly expectedDurationMs: number;
  /** Expected-by time when the restore is known to be running, epoch ms. */
  readonly expectedByMs?: number;
  /** S3 storage class, as HeadObject reported it. */
  readonly storageClass?: string;
  /** When the restored copy expires: ISO text and epoch ms (both or neither). */
  readonly expiry?: { readonly iso: string; readonly ms: number };
  /** Object size, bytes. */
  readonly sizeBytes?: number;
  /** Why the object cannot be restored (status failed). */
  readonly failureReason?: string;
}

export interface NewRequest {
  readonly spec: RestoreRequestSpec;
  readonly initial: readonly InitialObjectState[];
  /** Events of these objects received at or after this time (ms) are replayed into the request. */
  readonly replaySince: number;
  /**
   * Set when thaw started the restore itself: events timed before this (ms) tell of an earlier
   * restore of the object (or are old messages replayed) and never move the request.
   */
  readonly eventsSince?: number;
  /** When the reconciler first looks at the request, ms. */
  readonly firstDueAt: number;
  /** The Idempotency-Key it came with, claimed first (`claimIdempotency`); stored with the request. */
  readonly idempotency?: IdempotencyUse;
}

export interface RegisterResult {
  readonly outcome: 'created' | 'exists';
  readonly id: string;
  readonly pending: NotificationKind[];
}

export type EventEffect = 'applied' | 'updated' | 'late' | 'duplicate' | 'missing';

export interface EventOutcome {
  readonly requestId: string;
  readonly effect: EventEffect;
  /** Notifications decided for this request and not yet queued (the outbox). */
  readonly pending: NotificationKind[];
}

export interface ApplyResult {
  readonly matched: number;
  readonly outcomes: EventOutcome[];
  /** Unmatched events (of any object) whose early-event window ended, dropped from the index. */
  readonly unmatchedDropped: number;
}

export interface RestoreStore {
  /** Looks up an Idempotency-Key before anything else is done for its request, claiming it if new. */
  claimIdempotency(use: IdempotencyUse): Promise<IdempotencyClaim>;
  /** Frees a claimed key whose request was not stored (S3 refused, Expedited unavailable...). */
  releaseIdempotency(use: IdempotencyUse, token: string): Promise<void>;
  register(request: NewRequest): Promise<RegisterResult>;
  /**
   * The request; `{ events: false }` skips its event history (one list less to read). Null for an
   * unknown id, and, without asking Redis, for any string that is not a request id.
   */
  get(id: string, options?: { events?: boolean }): Promise<RestoreRequest | null>;
  listIdsByObject(bucket: string, key: string, versionId?: string | null): Promise<string[]>;
  applyEvent(
    event: RestoreEvent,
    eventId: string,
    options?: { replay?: boolean; receivedAt?: number },
  ): Promise<ApplyResult>;
  /** Marks one object of one request failed (a restore that never started, an object gone). */
  failObject(id: string, objectIndex: number, reason: string): Promise<EventOutcome>;
  decideNotification(id: string, kind: NotificationKind, whileStatus: readonly string[]): Promise<boolean>;
  /** A customer followed the download link of one object; true the first time for that object. */
  recordDownload(id: string, objectIndex: number, at?: number): Promise<boolean>;
  /** Marks notifications queued (their jobs exist); returns how many were still pending. */
  markQueued(id: string, kinds: readonly NotificationKind[]): Promise<number>;
  /** False for an unknown id (and, without asking Redis, for a string that is not a request id). */
  cancel(id: string): Promise<boolean>;
  dueIds(now: number, limit: number): Promise<string[]>;
  reschedule(id: string, at: number): Promise<void>;
  unschedule(id: string): Promise<void>;
  remindersDue(now: number, limit: number): Promise<string[]>;
  removeReminder(id: string): Promise<void>;
  outboxOlderThan(before: number, limit: number): Promise<{ id: string; kind: NotificationKind }[]>;
  /** Removes early events whose window ended without a request picking them up; returns how many. */
  dropUnmatched(now: number, limit: number): Promise<number>;
}
