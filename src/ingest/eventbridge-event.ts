import { z } from 'zod';
import { decodeEventKey } from '../domain/object-ref';
import type { RestoreEvent, RestoreEventKind } from '../domain/types';
import { InvalidInputError } from '../errors';
import { ownField } from './own-field';
import { stripUndefined } from './s3-event';

/**
 * EventBridge detail-types for S3 restores (AWS: "Using EventBridge", Amazon S3 User Guide). A Map,
 * as the detail-type comes from the message (see S3_RESTORE_EVENT_KINDS).
 */
export const EVENTBRIDGE_RESTORE_KINDS: ReadonlyMap<string, RestoreEventKind> = new Map([
  ['Object Restore Initiated', 'initiated'],
  ['Object Restore Completed', 'completed'],
  ['Object Restore Expired', 'expired'],
]);

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'is not an ISO-8601 time');

const restoreEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  time: isoTime,
  detail: z.object({
    bucket: z.object({ name: z.string().min(1).max(255) }),
    object: z.object({
      key: z.string().min(1).max(4096),
      size: z.number().nullish(),
      etag: z.string().nullish(),
      'version-id': z.string().nullish(),
      sequencer: z
        .string()
        .regex(/^[0-9A-Fa-f]+$/)
        .nullish(),
    }),
    'request-id': z.string().nullish(),
    'restore-expiry-time': isoTime.nullish(),
    'source-storage-class': z.string().nullish(),
  }),
});

export type EventBridgeResult =
  | { readonly outcome: 'restore'; readonly event: RestoreEvent }
  | { readonly outcome: 'ignored'; readonly detailType: string };

/**
 * Normalises an EventBridge S3 event carried in SNS. Keys are read as described at eventBridgeKey.
 */
export function parseEventBridgeEvent(value: unknown, keysUrlEncoded: boolean): EventBridgeResult {
  const detailType = ownField(value, 'detail-type');
  if (typeof detailType !== 'string') {
    throw new InvalidInputError('invalid_eventbridge_event', 'EventBridge event has no detail-type');
  }
  const kind = EVENTBRIDGE_RESTORE_KINDS.get(detailType);
  if (kind === undefined) return { outcome: 'ignored', detailType: detailType.slice(0, 64) };
  const parsed = restoreEventSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid';
    throw new InvalidInputError(
      'invalid_eventbridge_event',
      `EventBridge ${detailType} is malformed: ${where}`,
    );
  }
  const { detail, time } = parsed.data;
  const expiry = detail['restore-expiry-time'];
  const { key, rawKey } = eventBridgeKey(detail.object.key, keysUrlEncoded);
  return {
    outcome: 'restore',
    event: stripUndefined({
      kind,
      bucket: detail.bucket.name,
      key,
      rawKey,
      versionId: detail.object['version-id'] ?? null,
      size: detail.object.size ?? undefined,
      eTag: detail.object.etag ?? undefined,
      sequencer: detail.object.sequencer ?? undefined,
      eventTime: new Date(time).toISOString(),
      restoreExpiryTime: expiry ? new Date(expiry).toISOString() : undefined,
      storageClass: detail['source-storage-class'] ?? undefined,
      source: 'eventbridge',
      s3RequestId: detail['request-id'] ?? undefined,
    }),
  };
}

/**
 * The object key of an EventBridge event. AWS documents that S3 event notifications carry keys
 * URL-encoded (Amazon S3 User Guide, "Event message structure") but says nothing of EventBridge's
 * `detail.object.key`, so thaw reads it URL-encoded like S3's own (`EVENTBRIDGE_KEYS_URL_ENCODED`,
 * default true) and, whenever decoding changed it, keeps the key as it stands in `rawKey`:
 * correlation tries that one when no request waits on the decoded key. A key that is not valid
 * URL-encoding (a bare `%`) cannot have been encoded, so it is taken as it stands and never
 * refused: SNS does not retry a 4xx, and refusing it would lose the event.
 */
export function eventBridgeKey(raw: string, urlEncoded: boolean): { key: string; rawKey?: string } {
  if (!urlEncoded) return { key: raw };
  let key: string;
  try {
    key = decodeEventKey(raw);
  } catch {
    return { key: raw };
  }
  return key === raw ? { key } : { key, rawKey: raw };
}
