import { isArchived } from '../domain/restore-times';
import type { ObjectRestoreState } from './s3-restorer';

/**
 * Where HeadObject says an object stands, read one way for everyone who asks (registration when a
 * request starts, the reconciler when an event is late):
 * - `available`: not archived, or an Intelligent-Tiering object already back in an access tier;
 *   it can be downloaded now and never expires back.
 * - `restored`: a finished restore whose copy lives until `expiryDate` (after `now`).
 * - `restoring`: a restore is running.
 * - `copy-gone`: a finished restore whose copy has expired (or whose expiry S3 does not show).
 * - `archived`: archived, and S3 shows no restore at all.
 */
export type HeadReading =
  | { readonly state: 'available' }
  | { readonly state: 'restored'; readonly expiryDate: string }
  | { readonly state: 'restoring' }
  | { readonly state: 'copy-gone' }
  | { readonly state: 'archived' };

/** Reads a HeadObject answer at time `now` (epoch ms). */
export function readHead(head: ObjectRestoreState, now: number): HeadReading {
  if (!isArchived(head.storageClass, head.archiveStatus)) return { state: 'available' };
  const restore = head.restore;
  if (!restore) return { state: 'archived' };
  if (restore.ongoing) return { state: 'restoring' };
  if (restore.expiryDate && Date.parse(restore.expiryDate) > now) {
    return { state: 'restored', expiryDate: restore.expiryDate };
  }
  return { state: 'copy-gone' };
}
