import { createHash } from 'node:crypto';

/**
 * An id made from content alone: `<prefix>-` and the first 32 characters of the base64url SHA-256
 * of the parts as a JSON array. The same parts always give the same id, so a content-identical
 * thing (an S3 duplicate, a repeated reconciler finding) maps to one BullMQ job id or dedupe key.
 * BullMQ ids may not contain `:` or be all digits, hence the prefix and the base64url digest.
 *
 * The output must never change: ids of events already queued or applied depend on it
 * (test/unit/content-id.test.ts pins it).
 */
export function contentId(prefix: string, parts: readonly unknown[]): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32)}`;
}
