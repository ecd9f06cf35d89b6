import { z } from 'zod';
import { decodeEventKey } from '../domain/object-ref';
import type { RestoreEvent, RestoreEventKind } from '../domain/types';
import { InvalidInputError } from '../errors';
import { boundedString, fastField } from './fast-field';

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

const isIsoTime = (value: string): boolean => !Number.isNaN(Date.parse(value));
const isoTime = z.string().refine(isIsoTime, 'is not an ISO-8601 time');

// Shared by the schema and the fast path below, so both test exactly the same patterns.
const EVENT_VERSION = /^2\.\d+$/;
const DIGITS = /^\d+$/;
const HEX = /^[0-9A-Fa-f]+$/;

// Shapes follow the Amazon S3 User Guide ("Event message structure") and real captured records;
// unknown fields are ignored.
const restoreRecordSchema = z.object({
  eventVersion: z.string().regex(EVENT_VERSION, 'is not a 2.x event version'),
  eventSource: z.literal('aws:s3'),
  eventTime: isoTime,
  eventName: z.string(),
  responseElements: z.object({ 'x-amz-request-id': z.string().optional() }).partial().nullish(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1).max(255) }),
    object: z.object({
      key: z.string().min(1).max(4096),
      // Real events carry a number; AWS's sample shows a string placeholder. Accept both.
      size: z.union([z.number(), z.string().regex(DIGITS).transform(Number)]).nullish(),
      eTag: z.string().nullish(),
      versionId: z.string().nullish(),
      sequencer: z.string().regex(HEX).nullish(),
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

type RestoreRecord = z.infer<typeof restoreRecordSchema>;

export interface S3RecordsResult {
  readonly events: RestoreEvent[];
  /** Event names of records that are not restore events: acknowledged and counted, not queued. */
  readonly ignoredEventNames: string[];
}

/** Normalises the `Records` of an S3 event notification; one SNS message may carry several. */
export function parseS3Records(records: unknown): S3RecordsResult {
  return readS3Records(records, true);
}

/**
 * The same as parseS3Records but always through the zod schemas: the reference the fast path is
 * tested against (test/unit/ingest-fast-parse.test.ts). Not for production callers.
 */
export function parseS3RecordsWithSchema(records: unknown): S3RecordsResult {
  return readS3Records(records, false);
}

function readS3Records(records: unknown, fast: boolean): S3RecordsResult {
  if (!Array.isArray(records) || records.length === 0) {
    throw new InvalidInputError('invalid_s3_event', 'S3 notification has no Records');
  }
  const events: RestoreEvent[] = [];
  const ignoredEventNames: string[] = [];
  records.forEach((record: unknown, index) => {
    // Records are judged one at a time and in order, so a record the fast path leaves to the
    // schemas fails (or passes) exactly where and how it did before.
    if (fast) {
      const read = readS3RecordFast(record);
      if (read !== undefined) {
        if (read.kind === undefined) ignoredEventNames.push(read.eventName.slice(0, 64));
        else events.push(toRestoreEvent(read.kind, read.record));
        return;
      }
    }
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

/** What the fast path made of one record: a non-restore event name, or a restore record. */
export type FastS3Record =
  | { readonly kind: undefined; readonly eventName: string }
  | { readonly kind: RestoreEventKind; readonly record: RestoreRecord };

/**
 * The common valid record skips zod: a CPU profile of the api process put zod and these parsers at
 * ~10% of its CPU per notification (parseSnsBody + parseRestoreMessage measured ~15 µs a typical
 * body before, ~8 µs after). This accepts only what anyRecordSchema and
 * restoreRecordSchema accept and reads the same values from it (a digit-string size becomes a
 * number, null stays null); toRestoreEvent then builds the event from either. Anything unusual
 * answers `undefined` and takes the schema path, so every error reads exactly as before.
 * Exported for the equivalence tests only.
 */
export function readS3RecordFast(record: unknown): FastS3Record | undefined {
  if (!isObject(record)) return undefined;
  const eventName = fastField(record, 'eventName');
  if (typeof eventName !== 'string') return undefined;
  const kind = S3_RESTORE_EVENT_KINDS.get(eventName);
  if (kind === undefined) return { kind, eventName };

  const eventVersion = fastField(record, 'eventVersion');
  const eventTime = fastField(record, 'eventTime');
  if (
    typeof eventVersion !== 'string' ||
    !EVENT_VERSION.test(eventVersion) ||
    fastField(record, 'eventSource') !== 'aws:s3' ||
    typeof eventTime !== 'string' ||
    !isIsoTime(eventTime)
  ) {
    return undefined;
  }

  const responseElements = fastField(record, 'responseElements');
  let requestId: unknown;
  if (isObject(responseElements)) {
    requestId = fastField(responseElements, 'x-amz-request-id');
    if (requestId !== undefined && typeof requestId !== 'string') return undefined;
  } else if (responseElements !== undefined && responseElements !== null) {
    return undefined;
  }

  const s3 = fastField(record, 's3');
  if (!isObject(s3)) return undefined;
  const bucket = fastField(s3, 'bucket');
  const object = fastField(s3, 'object');
  if (!isObject(bucket) || !isObject(object)) return undefined;
  const bucketName = fastField(bucket, 'name');
  const key = fastField(object, 'key');
  if (!boundedString(bucketName, 255) || !boundedString(key, 4096)) return undefined;
  let size = fastField(object, 'size');
  if (typeof size === 'string' && DIGITS.test(size)) size = Number(size);
  else if (!(typeof size === 'number' && Number.isFinite(size)) && !nullish(size)) return undefined;
  const eTag = fastField(object, 'eTag');
  const versionId = fastField(object, 'versionId');
  const sequencer = fastField(object, 'sequencer');
  if (!nullishString(eTag) || !nullishString(versionId) || !nullishString(sequencer)) return undefined;
  if (typeof sequencer === 'string' && !HEX.test(sequencer)) return undefined;

  const glacierEventData = fastField(record, 'glacierEventData');
  let restoreEventData: unknown;
  if (isObject(glacierEventData)) {
    restoreEventData = fastField(glacierEventData, 'restoreEventData');
  } else if (!nullish(glacierEventData)) {
    return undefined;
  }
  let expiry: unknown;
  let storageClass: unknown;
  if (isObject(restoreEventData)) {
    expiry = fastField(restoreEventData, 'lifecycleRestorationExpiryTime');
    storageClass = fastField(restoreEventData, 'lifecycleRestoreStorageClass');
    if (!nullishString(expiry) || !nullishString(storageClass)) return undefined;
    if (typeof expiry === 'string' && !isIsoTime(expiry)) return undefined;
  } else if (!nullish(restoreEventData)) {
    return undefined;
  }

  // Only what toRestoreEvent reads; it treats absent, undefined and null alike.
  const parsed: RestoreRecord = {
    eventVersion,
    eventSource: 'aws:s3',
    eventTime,
    eventName,
    responseElements: isObject(responseElements)
      ? { 'x-amz-request-id': requestId as string | undefined }
      : (responseElements as null | undefined),
    s3: {
      bucket: { name: bucketName },
      object: {
        key,
        size: size as number | null | undefined,
        eTag,
        versionId,
        sequencer,
      },
    },
    glacierEventData: isObject(glacierEventData)
      ? {
          restoreEventData: isObject(restoreEventData)
            ? {
                lifecycleRestorationExpiryTime: expiry as string | null | undefined,
                lifecycleRestoreStorageClass: storageClass as string | null | undefined,
              }
            : (restoreEventData as null | undefined),
        }
      : (glacierEventData as null | undefined),
  };
  return { kind, record: parsed };
}

/** What z.object takes for an object: arrays are not. */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nullish(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

function nullishString(value: unknown): value is string | null | undefined {
  return value === null || value === undefined || typeof value === 'string';
}

function toRestoreEvent(kind: RestoreEventKind, record: RestoreRecord): RestoreEvent {
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
