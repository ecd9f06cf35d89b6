import type { EmailData, EmailObject, NotificationKind } from '../../src/notify/email-data';
/**
 * Long values for email template tests: keys at S3's 1,024-byte limit and presigned URLs as the
 * SDK mints them with temporary credentials, plus readers for the folded text part.
 */

export const octets = (value: string): number => Buffer.byteLength(value, 'utf8');

/** `prefix` followed by `unit` repeated and ASCII padding: exactly `bytes` bytes of UTF-8. */
export function keyOf(prefix: string, unit: string, bytes: number): string {
  let key = prefix;
  while (octets(key + unit) <= bytes) key += unit;
  return key + 'x'.repeat(bytes - octets(key));
}

/** What @aws-sdk/s3-request-presigner mints with temporary credentials (X-Amz-Security-Token). */
export function presignedUrl(key: string): string {
  const path = encodeURIComponent(key).replace(/%2F/g, '/');
  const token = `IQoJb3JpZ2luX2VjE${'Kx7/Zp9+Qa3Lm0Vb'.repeat(70)}`;
  return [
    `https://my-archive-bucket.s3.eu-central-1.amazonaws.com/${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256`,
    'X-Amz-Content-Sha256=UNSIGNED-PAYLOAD',
    'X-Amz-Credential=ASIAQEXAMPLE7EXAMPLE%2F20261128%2Feu-central-1%2Fs3%2Faws4_request',
    'X-Amz-Date=20261128T100000Z',
    'X-Amz-Expires=604800',
    `X-Amz-Security-Token=${encodeURIComponent(token)}`,
    `X-Amz-Signature=${'5f3c9a0b'.repeat(8)}`,
    'X-Amz-SignedHeaders=host',
    'versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    'x-id=GetObject',
  ].join('&');
}

/**
 * The key as a reader takes it from the object list: the lines of its `- ` item, each without its
 * two-character marker or indent, put back together as they are. Returns what follows the key too.
 */
export function listItemFrom(text: string, key: string): string {
  const lines = text.split('\n');
  // The item's first line holds the whole key and more, or the first piece of a key cut to fit.
  const first = lines.findIndex(
    (line) => line.startsWith('- ') && (line.slice(2).startsWith(key) || key.startsWith(line.slice(2))),
  );
  expect(first).toBeGreaterThanOrEqual(0);
  const item = [lines[first] ?? ''];
  for (const line of lines.slice(first + 1)) {
    if (!line.startsWith('  ')) break;
    item.push(line);
  }
  return item.map((line) => line.slice(2)).join('');
}

/** A URL broken across lines per RFC 3986 Appendix C: `<…>`, whitespace inside ignored. */
export function delimitedUrls(text: string): string[] {
  return [...text.matchAll(/<(https?:[^>]*)>/g)].map((match) => (match[1] ?? '').replace(/\s+/g, ''));
}

/** One object of an email, before the kind decides its status, link and failure. */
export interface ObjectSeed {
  readonly key: string;
  readonly size: number;
  /** Where its download link points, for the kinds that carry one. */
  readonly downloadUrl: string;
}

/** The data of one email of `kind` for these objects, as the notification worker builds it. */
export function emailDataFor(
  kind: NotificationKind,
  locale: string,
  seeds: readonly ObjectSeed[],
  statusPageUrl: string | undefined,
): EmailData {
  const links = kind === 'completed' || kind === 'expiring';
  const status =
    kind === 'expired' ? 'expired' : kind === 'failed' ? 'failed' : links ? 'completed' : 'initiated';
  const objects = seeds.map((seed): EmailObject => ({
    bucket: 'my-archive-bucket',
    key: seed.key,
    versionId: null,
    size: seed.size,
    status,
    ...(links ? { downloadUrl: seed.downloadUrl } : {}),
    ...(kind === 'failed' ? { failure: 'other' as const } : {}),
    restoreExpiresAt: '2026-12-01T00:00:00Z',
  }));
  return {
    kind,
    requestId: 'req-42',
    recipient: { email: 'ada@example.com', name: 'Ada', locale, timeZone: 'Europe/Berlin' },
    tier: 'Standard',
    storageClass: 'GLACIER',
    objects,
    expectedBy: '2026-11-30T20:00:00Z',
    restoreExpiresAt: '2026-12-01T00:00:00Z',
    linkExpiresAt: '2026-11-30T12:00:00Z',
    ...(statusPageUrl !== undefined ? { statusPageUrl } : {}),
    now: '2026-11-28T10:00:00Z',
  };
}
