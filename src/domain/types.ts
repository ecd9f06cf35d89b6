/** The glossary (archived object, restore, restore request, restore event, ...) is in docs/ARCHITECTURE.md. */

/** What happened to an object's restore, in the order it happens. */
export type RestoreEventKind = 'initiated' | 'completed' | 'expired';

/** Where a restore event came from. `reconcile` events are thaw's own findings from HeadObject. */
export type RestoreEventSource = 's3' | 'eventbridge' | 'reconcile' | 'api';

/** One restore event, normalised from an S3 record or an EventBridge event. */
export interface RestoreEvent {
  readonly kind: RestoreEventKind;
  readonly bucket: string;
  /** The object key as the customer and S3 APIs know it (URL-decoded once, at the edge). */
  readonly key: string;
  /**
   * EventBridge events only: the key as the event carried it, when URL-decoding changed it (AWS
   * does not document whether EventBridge encodes keys). Correlation uses it when no request
   * waits on `key`. Absent from events queued before it existed.
   */
  readonly rawKey?: string;
  /** Null when the bucket is unversioned (S3 omits the field); S3's literal "null" is kept as is. */
  readonly versionId: string | null;
  readonly size?: number;
  readonly eTag?: string;
  /** S3's ordering hint for events on one key; absent in EventBridge events. */
  readonly sequencer?: string;
  /** ISO-8601 time S3 finished the request behind the event. */
  readonly eventTime: string;
  /** ISO-8601 time the restored copy goes away; only on `completed` (Glacier classes). */
  readonly restoreExpiryTime?: string;
  /** Source storage class of the restore (GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING...). */
  readonly storageClass?: string;
  readonly source: RestoreEventSource;
  /** S3's `x-amz-request-id` (S3 form) or `request-id` (EventBridge form), if given. */
  readonly s3RequestId?: string;
}

/** A restore event as queued: the event plus where and when thaw received it. */
export interface QueuedRestoreEvent {
  readonly event: RestoreEvent;
  readonly snsMessageId: string | null;
  readonly receivedAt: string;
}

/** Ranks let the state machine compare kinds: a request never moves to a lower rank. */
export const EVENT_KIND_RANK: Readonly<Record<RestoreEventKind, number>> = {
  initiated: 1,
  completed: 2,
  expired: 3,
};
