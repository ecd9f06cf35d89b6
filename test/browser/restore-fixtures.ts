import { s3NotificationMessage } from '../../src/simulate/restore-notifications';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';

/** Requests and S3 events for the browser tests. */
export const BUCKET = 'thaw-page-bucket';

export function recipient(name: string, locale = 'en', timeZone = 'Europe/Berlin') {
  return { email: `${name}@example.com`, name: 'Lin', locale, timeZone };
}

/** Midnight UTC `days` from now: where S3 puts a restored copy's expiry. */
export function expiryIn(days: number): string {
  const date = new Date(Date.now() + days * 86400_000);
  date.setUTCHours(0, 0, 0, 0);
  return date.toISOString();
}

/** One S3 event of `kind` per key (50 MB objects). */
export function events(
  kind: SimulatedRestore['kind'],
  keys: readonly string[],
  extra: Partial<SimulatedRestore> = {},
): SimulatedRestore[] {
  return keys.map((key) => ({ kind, bucket: BUCKET, key, size: 52_428_800, ...extra }));
}

/**
 * A Completed notification for an Intelligent-Tiering object: those move back to an access tier
 * and never expire, so S3 sends no expiry time (the simulator would otherwise add one).
 */
export function intelligentTieringCompleted(key: string): string {
  const message = JSON.parse(
    s3NotificationMessage(events('completed', [key], { storageClass: 'INTELLIGENT_TIERING' })),
  ) as { Records: Array<{ glacierEventData: { restoreEventData: Record<string, unknown> } }> };
  for (const record of message.Records) {
    delete record.glacierEventData.restoreEventData.lifecycleRestorationExpiryTime;
  }
  return JSON.stringify(message);
}
