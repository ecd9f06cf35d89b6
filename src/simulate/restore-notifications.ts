import { randomBytes, randomUUID } from 'node:crypto';
import { encodeEventKey } from '../domain/object-ref';
import type { RestoreEventKind } from '../domain/types';

/** What a simulated restore event is about; absent fields get realistic values. */
export interface SimulatedRestore {
  readonly kind: RestoreEventKind;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string | null;
  readonly size?: number;
  readonly eventTime?: string;
  readonly sequencer?: string;
  readonly restoreExpiryTime?: string;
  readonly storageClass?: string;
  readonly region?: string;
}

const S3_EVENT_NAMES: Readonly<Record<RestoreEventKind, string>> = {
  initiated: 'ObjectRestore:Post',
  completed: 'ObjectRestore:Completed',
  expired: 'ObjectRestore:Delete',
};

const EVENTBRIDGE_DETAIL_TYPES: Readonly<Record<RestoreEventKind, string>> = {
  initiated: 'Object Restore Initiated',
  completed: 'Object Restore Completed',
  expired: 'Object Restore Expired',
};

/** One S3 event notification record shaped like real ones: docs/EVENTS.md#captured-s3-restore-records. */
export function s3RestoreRecord(restore: SimulatedRestore): Record<string, unknown> {
  const eventTime = restore.eventTime ?? new Date().toISOString();
  const object: Record<string, unknown> = {
    key: encodeEventKey(restore.key),
    size: restore.size ?? 17017201852,
    eTag: '41654cbd2a8f2d3c0abc83444fde825b-2029',
    sequencer: restore.sequencer ?? randomBytes(9).toString('hex').toUpperCase(),
  };
  if (restore.versionId) object.versionId = restore.versionId;
  const record: Record<string, unknown> = {
    eventVersion: restore.kind === 'expired' ? '2.3' : '2.1',
    eventSource: 'aws:s3',
    awsRegion: restore.region ?? 'us-east-1',
    eventTime,
    eventName: S3_EVENT_NAMES[restore.kind],
    userIdentity: {
      principalId: restore.kind === 'initiated' ? 'AWS:AROAEXAMPLE:thaw' : 'AmazonCustomer:A1JPP2WW1ZYN4F',
    },
    requestParameters: {
      sourceIPAddress: restore.kind === 'initiated' ? '203.0.113.10' : 's3.amazonaws.com',
    },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'thaw-restore-events',
      bucket: {
        name: restore.bucket,
        ownerIdentity: { principalId: 'A1JPP2WW1ZYN4F' },
        arn: `arn:aws:s3:::${restore.bucket}`,
      },
      object,
    },
  };
  if (restore.kind === 'completed') {
    record.glacierEventData = {
      restoreEventData: {
        lifecycleRestorationExpiryTime: restore.restoreExpiryTime ?? nextMidnightUtc(eventTime, 7),
        lifecycleRestoreStorageClass: restore.storageClass ?? 'DEEP_ARCHIVE',
      },
    };
  }
  return record;
}

/** The `Message` of an SNS notification carrying S3 records (one per restore). */
export function s3NotificationMessage(restores: readonly SimulatedRestore[]): string {
  return JSON.stringify({ Records: restores.map(s3RestoreRecord) });
}

/**
 * The `Message` of an SNS notification carrying an EventBridge S3 restore event
 * (docs/EVENTS.md#eventbridge-restore-events).
 */
export function eventBridgeMessage(restore: SimulatedRestore, keysUrlEncoded = true): string {
  const time = restore.eventTime ?? new Date().toISOString();
  const detail: Record<string, unknown> = {
    version: '0',
    bucket: { name: restore.bucket },
    object: {
      key: keysUrlEncoded ? encodeEventKey(restore.key) : restore.key,
      size: restore.size ?? 5,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      ...(restore.versionId ? { 'version-id': restore.versionId } : {}),
    },
    'request-id': randomBytes(8).toString('hex').toUpperCase(),
    requester: restore.kind === 'initiated' ? '111122223333' : 's3.amazonaws.com',
  };
  if (restore.kind !== 'expired') detail['source-storage-class'] = restore.storageClass ?? 'GLACIER';
  if (restore.kind === 'completed')
    detail['restore-expiry-time'] = restore.restoreExpiryTime ?? nextMidnightUtc(time, 7);
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': EVENTBRIDGE_DETAIL_TYPES[restore.kind],
    source: 'aws.s3',
    account: '111122223333',
    time,
    region: restore.region ?? 'us-east-1',
    resources: [`arn:aws:s3:::${restore.bucket}`],
    detail,
  });
}

/** S3 rounds restore expiry up to the next midnight UTC (docs/EVENTS.md#restore-expiry). */
export function nextMidnightUtc(from: string, days: number): string {
  const date = new Date(from);
  date.setUTCDate(date.getUTCDate() + days + 1);
  date.setUTCHours(0, 0, 0, 0);
  return date.toISOString();
}
