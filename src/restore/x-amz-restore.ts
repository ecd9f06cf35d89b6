/**
 * The `x-amz-restore` header of HeadObject and GetObject (S3 API Reference, HeadObject, Response Syntax: `x-amz-restore`), which SDK v3 exposes
 * as `HeadObjectOutput.Restore`:
 *
 *   ongoing-request="true"                                                  restore running
 *   ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"   restored copy, until
 *   (absent)                                                                never restored, or not archived
 */
export interface RestoreHeader {
  /** True while S3 is still restoring the object. */
  readonly ongoing: boolean;
  /** When the restored copy is deleted, as ISO-8601; null while ongoing or when unreadable. */
  readonly expiryDate: string | null;
}

/**
 * key="value" pairs separated by commas. AWS documents no order or spacing, so neither is relied
 * on; keys are matched case-insensitively, a bare (unquoted) token is accepted too, and unknown
 * keys are ignored so a new attribute from S3 does not break parsing.
 */
const PAIR = /([A-Za-z][A-Za-z-]*)\s*=\s*(?:"([^"]*)"|([^\s",]+))/g;

/** Parses the header; null when it is absent, empty, or has no readable `ongoing-request`. */
export function parseXAmzRestore(value: string | null | undefined): RestoreHeader | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const pairs = new Map<string, string>();
  for (const [, key, quoted, bare] of value.matchAll(PAIR)) {
    if (key !== undefined) pairs.set(key.toLowerCase(), (quoted ?? bare ?? '').trim());
  }
  const ongoing = pairs.get('ongoing-request')?.toLowerCase();
  if (ongoing !== 'true' && ongoing !== 'false') return null;
  return { ongoing: ongoing === 'true', expiryDate: toIsoDate(pairs.get('expiry-date')) };
}

/** S3 writes an RFC 1123 date in GMT; an unreadable one becomes null rather than failing the HEAD. */
function toIsoDate(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
