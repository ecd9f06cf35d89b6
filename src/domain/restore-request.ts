import type { ObjectRef } from './object-ref';
import type { RestoreEventKind, RestoreEventSource } from './types';
import type { RestoreTier } from './restore-tier';

/**
 * Where a restore request, or one object of it, stands. Moves only forward:
 * requested → initiated → completed → expired; `failed` ends it from any state.
 */
export type RestoreStatus = 'requested' | 'initiated' | 'completed' | 'expired' | 'failed';

export const STATUS_RANK: Readonly<Record<RestoreStatus, number>> = {
  requested: 0,
  initiated: 1,
  completed: 2,
  expired: 3,
  failed: 4,
};

/** Email kinds: at most one email per request and kind. */
export type NotificationKind = 'initiated' | 'completed' | 'expiring' | 'expired' | 'delayed' | 'failed';

/** Every kind, in the order a request meets them (`failed` is thaw's addition to the five kinds of thaw's published interface). */
export const NOTIFICATION_KINDS: readonly NotificationKind[] = [
  'initiated',
  'completed',
  'expiring',
  'expired',
  'delayed',
  'failed',
];

export interface Recipient {
  readonly email: string;
  readonly name?: string;
  /** BCP 47 tag such as `en` or `pt-BR`. */
  readonly locale: string;
  /** IANA time zone such as `Europe/Berlin`. */
  readonly timeZone: string;
}

/** What a caller asked for; fixed once the request is stored. */
export interface RestoreRequestSpec {
  readonly objects: readonly ObjectRef[];
  /** True when the caller named one object with `bucket`/`key` (the published single-object shape). */
  readonly single: boolean;
  readonly tier: RestoreTier;
  /** Days the restored copy lives (S3 takes no Days for Intelligent-Tiering objects). */
  readonly days: number;
  readonly initiate: boolean;
  /** Tier to fall back to when Expedited capacity is not available; none means no fallback. */
  readonly fallbackTier: RestoreTier | null;
  readonly recipient: Recipient;
  /** Whether the `expiring` reminder is sent before a restored copy expires. */
  readonly remindBeforeExpiry: boolean;
}

/** One object of a request, as stored. */
export interface ObjectState {
  readonly status: RestoreStatus;
  readonly storageClass: string | null;
  /** ISO time the restored copy goes away; null while unknown or for Intelligent-Tiering. */
  readonly restoreExpiryTime: string | null;
  /** ISO time the restore is expected to be finished by (tier and class), once known. */
  readonly expectedBy: string | null;
  readonly failureReason: string | null;
  readonly size: number | null;
  /** ISO time the customer first followed this object's `/d/:token` link; null if never. */
  readonly downloadedAt: string | null;
}

export interface RecordedEvent {
  /** `failed` entries are thaw's own finding (a restore that never started, an object gone). */
  readonly kind: RestoreEventKind | 'failed';
  readonly object: number;
  readonly eventTime: string;
  readonly source: RestoreEventSource;
  readonly receivedAt: string;
  /** What it did: moved the object forward, only updated its expiry, or nothing (late, duplicate). */
  readonly effect: 'applied' | 'updated' | 'late' | 'ignored';
}

export type NotificationState =
  'pending' | 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'cancelled';

export interface NotificationRecord {
  readonly kind: NotificationKind;
  readonly state: NotificationState;
  readonly messageId: string | null;
  readonly sentAt: string | null;
  readonly reason: string | null;
}

/** A stored restore request with everything known about it. */
export interface RestoreRequest extends RestoreRequestSpec {
  readonly id: string;
  readonly status: RestoreStatus;
  readonly objectStates: readonly ObjectState[];
  readonly events: readonly RecordedEvent[];
  readonly notifications: readonly NotificationRecord[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly cancelledAt: string | null;
}
