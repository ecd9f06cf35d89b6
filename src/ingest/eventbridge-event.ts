import { z } from 'zod';
import { decodeEventKey } from '../domain/object-ref';
import type { RestoreEvent, RestoreEventKind } from '../domain/types';
import { InvalidInputError } from '../errors';
import { stripUndefined } from './s3-event';

/** EventBridge detail-types for S3 restores (FORMATS.md §B.2). */
export const EVENTBRIDGE_RESTORE_KINDS: Readonly<Record<string, RestoreEventKind>> = {
  'Object Restore Initiated': 'initiated',
  'Object Restore Completed': 'completed',
  'Object Restore Expired': 'expired',
};

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
 * Normalises an EventBridge S3 event carried in SNS. Whether EventBridge URL-encodes object keys
 * as S3 notifications do is not confirmed in AWS's documentation (FORMATS.md §F.4), so it is a
 * setting (`EVENTBRIDGE_KEYS_URL_ENCODED`, default true, as S3 notifications are).
 */
export function parseEventBridgeEvent(value: unknown, keysUrlEncoded: boolean): EventBridgeResult {
  const detailType = (value as { 'detail-type'?: unknown })['detail-type'];
  if (typeof detailType !== 'string') {
    throw new InvalidInputError('invalid_eventbridge_event', 'EventBridge event has no detail-type');
  }
  const kind = EVENTBRIDGE_RESTORE_KINDS[detailType];
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
  return {
    outcome: 'restore',
    event: stripUndefined({
      kind,
      bucket: detail.bucket.name,
      key: keysUrlEncoded ? decodeEventKey(detail.object.key) : detail.object.key,
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
