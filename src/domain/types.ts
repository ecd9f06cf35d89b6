/**
 * Glossary
 *
 * - **Archived object**: an S3 object in Glacier Flexible Retrieval, Glacier Deep Archive, or an
 *   Intelligent-Tiering archive tier; it cannot be read until it is restored.
 * - **Restore**: S3's work of bringing an archived object back (minutes to 48 hours). For Glacier
 *   classes it makes a temporary copy that expires after `days`; Intelligent-Tiering objects move
 *   back to the Frequent Access tier instead and never expire back.
 * - **Restore request**: a customer's wish to be told about one object, or a set of objects, being
 *   restored. thaw stores it, may start the restore, and emails the recipient as it progresses.
 * - **Restore event**: what S3 reports about an object's restore (`initiated`, `completed`,
 *   `expired`), delivered through SNS as an S3 event notification or an EventBridge event, and
 *   normalised here into one `RestoreEvent` shape.
 * - **Correlation**: matching a restore event with every restore request waiting on that object
 *   and moving each one forward through its state machine, exactly once.
 * - **Notification**: one email per restore request and kind (`initiated`, `completed`,
 *   `expiring`, `expired`, `delayed`), never one per object of a several-object request.
 */

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
