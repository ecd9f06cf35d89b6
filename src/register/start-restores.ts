import type { ObjectRef } from '../domain/object-ref';
import type { RestoreRequestSpec } from '../domain/restore-request';
import { archiveFamily, restoreWindow } from '../domain/restore-times';
import { ThawError } from '../errors';
import type { InitialObjectState } from '../correlate/restore-store';
import { readHead } from '../restore/head-reading';
import type { ObjectRestoreState, RestoreOutcome, S3Restorer } from '../restore/s3-restorer';
import { restoreCommandFor } from '../restore/s3-sdk-restorer';

export interface StartRestoresOptions {
  readonly restorer: S3Restorer;
  /** Parallel S3 calls for a several-object request. */
  readonly concurrency: number;
  readonly now?: () => number;
}

/**
 * Starts (or joins) the restore of every object of a request and says where each one stands.
 * HeadObject runs for all objects first, so an unknown or forbidden object fails the whole
 * request (S3's code goes back to the caller) before any RestoreObject was sent.
 */
export async function startRestores(
  spec: RestoreRequestSpec,
  options: StartRestoresOptions,
): Promise<InitialObjectState[]> {
  const now = options.now ?? Date.now;
  const heads = await mapLimit(spec.objects, options.concurrency, (object) => options.restorer.head(object));
  return mapLimit(spec.objects, options.concurrency, async (object, index) => {
    const head = heads[index]!;
    return decideStart(object, head, spec, options.restorer, now);
  });
}

async function decideStart(
  object: ObjectRef,
  head: ObjectRestoreState,
  spec: RestoreRequestSpec,
  restorer: S3Restorer,
  now: () => number,
): Promise<InitialObjectState> {
  const window = restoreWindow(spec.tier, archiveFamily(head.storageClass, head.archiveStatus)).maxMs;
  const base = {
    expectedDurationMs: window,
    storageClass: head.storageClass,
    ...(head.size !== null ? { sizeBytes: head.size } : {}),
  };
  const reading = readHead(head, now());
  // Not archived (or an Intelligent-Tiering object already back in an access tier): it can be
  // downloaded now, and it never expires back.
  if (reading.state === 'available') return { ...base, status: 'completed' as const };
  if (reading.state === 'restored')
    return { ...base, status: 'completed' as const, ...expiry(reading.expiryDate) };
  if (reading.state === 'restoring')
    return { ...base, status: 'initiated' as const, expectedByMs: now() + window };

  const outcome = await restoreWithFallback(object, head, spec, restorer);
  switch (outcome) {
    case 'started':
      // S3 will report ObjectRestore:Post; the request moves on with that event.
      return { ...base, status: 'requested' as const };
    case 'in-progress':
      return { ...base, status: 'initiated' as const, expectedByMs: now() + window };
    case 'not-archived':
      return { ...base, status: 'completed' as const };
    case 'already-restored': {
      // 200: S3 extended an existing copy; a second look tells until when it lives.
      const after = await restorer.head(object);
      const expiryDate = after.restore?.expiryDate;
      return expiryDate
        ? { ...base, status: 'completed' as const, ...expiry(expiryDate) }
        : { ...base, status: 'completed' as const };
    }
    case 'expedited-unavailable':
      throw new ThawError(
        'glacier_expedited_unavailable',
        `Expedited retrieval is not available now for ${object.bucket}/${object.key}; try again later or allow a fallbackTier`,
        { retryable: true, httpStatus: 503 },
      );
  }
}

async function restoreWithFallback(
  object: ObjectRef,
  head: ObjectRestoreState,
  spec: RestoreRequestSpec,
  restorer: S3Restorer,
): Promise<RestoreOutcome> {
  const outcome = await restorer.restore(object, restoreCommandFor(head, spec.tier, spec.days));
  if (
    outcome !== 'expedited-unavailable' ||
    spec.fallbackTier === null ||
    spec.fallbackTier === 'Expedited'
  ) {
    return outcome;
  }
  return restorer.restore(object, restoreCommandFor(head, spec.fallbackTier, spec.days));
}

function expiry(iso: string): { expiry: { iso: string; ms: number } } {
  const ms = Date.parse(iso);
  return { expiry: { iso: new Date(ms).toISOString(), ms } };
}

/** Maps with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(runners);
  return results;
}
