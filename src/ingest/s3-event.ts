import { z } from 'zod';
import { decodeEventKey } from '../domain/object-ref';
import type { RestoreEvent, RestoreEventKind } from '../domain/types';
import { InvalidInputError } from '../errors';

/**
 * S3 event names (without the `s3:` prefix, as records carry them) that thaw acts on. A Map: the
 * name comes from the message, and an object literal would answer `constructor` or `__proto__`
 * with what Object.prototype holds.
 */
export const S3_RESTORE_EVENT_KINDS: ReadonlyMap<string, RestoreEventKind> = new Map([
  ['ObjectRestore:Post', 'initiated'],
  ['ObjectRestore:Completed', 'completed'],
  ['ObjectRestore:Delete', 'expired'],
]);

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'is not an ISO-8601 time');

// Shapes follow the Amazon S3 User Guide ("Event message structure") and real captured records;
// unknown fields are ignored.
const restoreRecordSchema = z.object({
  eventVersion: z.string().regex(/^2\.\d+$/, 'is not a 2.x event version'),
  eventSource: z.literal('aws:s3'),
  eventTime: isoTime,
  eventName: z.string(),
  responseElements: z.object({ 'x-amz-request-id': z.string().optional() }).partial().nullish(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1).max(255) }),
    object: z.object({
      key: z.string().min(1).max(4096),
      // Real events carry a number; AWS's sample shows a string placeholder. Accept both.
      size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
      eTag: z.string().nullish(),
      versionId: z.string().nullish(),
      sequencer: z
        .string()
        .regex(/^[0-9A-Fa-f]+$/)
        .nullish(),
    }),
  }),
  glacierEventData: z
    .object({
      restoreEventData: z
        .object({
          lifecycleRestorationExpiryTime: isoTime.nullish(),
          lifecycleRestoreStorageClass: z.string().nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

const anyRecordSchema = z.object({ eventName: z.string() });

export interface S3RecordsResult {
  readonly events: RestoreEvent[];
  /** Event names of records that are not restore events: acknowledged and counted, not queued. */
  readonly ignoredEventNames: string[];
}

/** Normalises the `Records` of an S3 event notification; one SNS message may carry several. */
export function parseS3Records(records: unknown): S3RecordsResult {
  if (!Array.isArray(records) || records.length === 0) {
    throw new InvalidInputError('invalid_s3_event', 'S3 notification has no Records');
  }
  const events: RestoreEvent[] = [];
  const ignoredEventNames: string[] = [];
  records.forEach((record, index) => {
    const named = anyRecordSchema.safeParse(record);
    if (!named.success) {
      throw new InvalidInputError('invalid_s3_event', `S3 record ${index} has no eventName`);
    }
    const kind = S3_RESTORE_EVENT_KINDS.get(named.data.eventName);
    if (kind === undefined) {
      ignoredEventNames.push(named.data.eventName.slice(0, 64));
      return;
    }
    const parsed = restoreRecordSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid';
      throw new InvalidInputError('invalid_s3_event', `S3 record ${index} is malformed: ${where}`);
    }
    events.push(toRestoreEvent(kind, parsed.data));
  });
  return { events, ignoredEventNames };
}

function toRestoreEvent(kind: RestoreEventKind, record: z.infer<typeof restoreRecordSchema>): RestoreEvent {
  const object = record.s3.object;
  const restore = record.glacierEventData?.restoreEventData;
  return stripUndefined({
    kind,
    bucket: record.s3.bucket.name,
    key: decodeEventKey(object.key),
    versionId: object.versionId ?? null,
    size: object.size ?? undefined,
    eTag: object.eTag ?? undefined,
    sequencer: object.sequencer ?? undefined,
    eventTime: new Date(record.eventTime).toISOString(),
    restoreExpiryTime: restore?.lifecycleRestorationExpiryTime
      ? new Date(restore.lifecycleRestorationExpiryTime).toISOString()
      : undefined,
    storageClass: restore?.lifecycleRestoreStorageClass ?? undefined,
    source: 's3',
    s3RequestId: record.responseElements?.['x-amz-request-id'] ?? undefined,
  });
}

/** Queued payloads are JSON: leaving out absent fields keeps them small and their digests stable. */
export function stripUndefined<T extends object>(value: T): T {
  for (const name of Object.keys(value) as (keyof T)[]) {
    if (value[name] === undefined) delete value[name];
  }
  return value;
}
