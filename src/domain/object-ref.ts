import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';

/** One S3 object version, or any version when `versionId` is null. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
}

/**
 * Decodes an object key as S3 writes it into event notifications: HTML-form encoding, where a
 * space is `+` and a literal `+` is `%2B`. `+` must become a space *before* percent-decoding,
 * or `%2B` would turn into a space too. Decode exactly once.
 */
export function decodeEventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (cause) {
    throw new InvalidInputError(
      'invalid_object_key',
      `object key is not valid URL encoding: ${encoded}`,
      cause,
    );
  }
}

/** The inverse of decodeEventKey, as S3 encodes keys (slashes kept, as in current AWS events). */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/**
 * A short stable digest of bucket and key (no version), used in Redis key names: object keys may
 * be 1,024 bytes of anything, and Redis key names should stay short and free of separators.
 */
export function objectDigest(bucket: string, key: string): string {
  return createHash('sha256').update(bucket).update('\0').update(key).digest('base64url').slice(0, 27);
}
