/**
 * Why an object could not be restored, in a form the status page and the emails can say gently in
 * each language (their locale's `failure` partials).
 * Stored failure reasons are thaw's own English sentences for operators (see
 * src/correlate/reconciler.ts: "the object no longer exists in S3", "the restore never started:
 * …"); they name S3 internals and are not translated, so customers never see them verbatim.
 */
export type FailureKind = 'missing' | 'not-started' | 'other';

const PATTERNS: ReadonlyArray<readonly [RegExp, FailureKind]> = [
  [/no longer exists|NoSuchKey|NoSuchVersion|not ?found/i, 'missing'],
  [/never started|no restore/i, 'not-started'],
];

/** An unknown or empty reason reads as the general "something went wrong" sentence. */
export function classifyFailure(reason: string | null): FailureKind {
  if (!reason) return 'other';
  return PATTERNS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}
