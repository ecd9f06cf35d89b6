import type { RestoreTier } from './restore-tier';

/**
 * How long S3 takes to restore, by storage class and tier (S3 User Guide, "Understanding archive retrieval options", AWS's table):
 *
 * | class or tier                                   | Expedited | Standard     | Bulk         |
 * | Glacier Flexible Retrieval / IT Archive Access  | 1–5 min   | 3–5 hours    | 5–12 hours   |
 * | Glacier Deep Archive / IT Deep Archive Access   | n/a       | within 12 h  | within 48 h  |
 *
 * When the class is unknown (the caller started the restore itself and thaw never asked S3),
 * the slower Deep Archive times are assumed, so nobody is told "delayed" too early.
 */
export interface RestoreWindow {
  /** Earliest typical completion after the restore starts, in milliseconds. */
  readonly minMs: number;
  /** Latest typical completion after the restore starts, in milliseconds. */
  readonly maxMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const FLEXIBLE: Readonly<Record<RestoreTier, RestoreWindow>> = {
  Expedited: { minMs: 1 * MINUTE, maxMs: 5 * MINUTE },
  Standard: { minMs: 3 * HOUR, maxMs: 5 * HOUR },
  Bulk: { minMs: 5 * HOUR, maxMs: 12 * HOUR },
};

const DEEP: Readonly<Record<RestoreTier, RestoreWindow>> = {
  // Deep Archive has no Expedited tier; S3 refuses it, so this only guards odd input.
  Expedited: { minMs: 0, maxMs: 12 * HOUR },
  Standard: { minMs: 0, maxMs: 12 * HOUR },
  Bulk: { minMs: 0, maxMs: 48 * HOUR },
};

export type ArchiveFamily = 'flexible' | 'deep' | 'unknown';

/** Which row of the table an object belongs to, from HeadObject's class and archive status. */
export function archiveFamily(
  storageClass: string | undefined,
  archiveStatus?: string | null,
): ArchiveFamily {
  if (storageClass === 'GLACIER' || archiveStatus === 'ARCHIVE_ACCESS') return 'flexible';
  if (storageClass === 'DEEP_ARCHIVE' || archiveStatus === 'DEEP_ARCHIVE_ACCESS') return 'deep';
  return 'unknown';
}

export function restoreWindow(tier: RestoreTier, family: ArchiveFamily): RestoreWindow {
  return family === 'flexible' ? FLEXIBLE[tier] : DEEP[tier];
}

/** Classes (and Intelligent-Tiering archive statuses) whose objects must be restored before reading. */
export function isArchived(storageClass: string, archiveStatus: string | null): boolean {
  if (storageClass === 'GLACIER' || storageClass === 'DEEP_ARCHIVE') return true;
  return storageClass === 'INTELLIGENT_TIERING' && archiveStatus !== null;
}
