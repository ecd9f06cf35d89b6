import type { RestoreRequest, RestoreRequestSpec } from '../domain/restore-request';
import { archiveFamily, restoreWindow } from '../domain/restore-times';
import type { Logger } from '../logger';
import type { IdempotencyUse } from '../correlate/idempotency-records';
import type { InitialObjectState, RestoreStore } from '../correlate/restore-store';
import { ThawError } from '../errors';
import type { QueueNotifications } from '../queue/notification-producer';
import type { S3Restorer } from '../restore/s3-restorer';
import { startRestores } from './start-restores';

export interface RegistrarOptions {
  readonly store: RestoreStore;
  readonly restorer: S3Restorer;
  readonly queueNotifications: QueueNotifications;
  readonly logger: Logger;
  readonly s3Concurrency: number;
  /** How long a restore may take to show up in S3 before the reconciler looks, ms. */
  readonly startGraceMs: number;
  readonly overdueMarginMs: number;
  readonly expiryCheckMs: number;
  /**
   * Slack between thaw's clock and S3's around a restore thaw starts, ms (default 60000): events
   * received, and timed, up to this long before the start still count for the request.
   */
  readonly replaySkewMs?: number;
  readonly now?: () => number;
}

export interface RegisterOutcome {
  readonly request: RestoreRequest;
  /** False when an Idempotency-Key named an earlier request, which is returned instead. */
  readonly created: boolean;
}

export type RegisterRequest = (
  spec: RestoreRequestSpec,
  idempotency?: IdempotencyUse,
) => Promise<RegisterOutcome>;

/**
 * Registers a customer's interest: starts the restores when asked to, stores the request with
 * each object's starting point, and queues any email already decided (an object that was
 * downloadable at once). S3 errors (unknown object, no access) propagate and nothing is stored.
 *
 * An Idempotency-Key is looked up first, before S3 is asked anything: a retry must not send
 * RestoreObject again (on a restored copy that moves its expiry) nor meet an S3 error instead of
 * the request it made. Same key, same body: the first request (200). Same key, another body: 422.
 * Same key while its first use is still running: 409, retry shortly.
 */
export function createRequestRegistrar(options: RegistrarOptions): RegisterRequest {
  const { store } = options;
  const registerNew = createRegistration(options);
  return async (spec, idempotency) => {
    if (!idempotency) return registerNew(spec);
    const claim = await store.claimIdempotency(idempotency);
    switch (claim.outcome) {
      case 'exists':
        return { request: await readBack(store, claim.id), created: false };
      case 'reused':
        throw new ThawError(
          'idempotency_key_reused',
          'this Idempotency-Key came before with a different body; use a new key for a new request',
          { httpStatus: 422 },
        );
      case 'in-use':
        throw new ThawError(
          'idempotency_key_in_use',
          'a request with this Idempotency-Key is still being made; retry in a few seconds',
          { httpStatus: 409, retryable: true },
        );
      case 'claimed':
        try {
          return await registerNew(spec, idempotency);
        } catch (error) {
          // Nothing stored: free the key so the caller's retry is served now, not after the claim ends.
          await store.releaseIdempotency(idempotency, claim.token).catch(() => undefined);
          throw error;
        }
    }
  };
}

function createRegistration(options: RegistrarOptions) {
  const now = options.now ?? Date.now;
  return async (spec: RestoreRequestSpec, idempotency?: IdempotencyUse): Promise<RegisterOutcome> => {
    const startedAt = now();
    // When thaw starts the restore itself, older events of the object belong to an earlier restore
    // (or are old messages replayed): they are neither replayed into this request nor applied to it.
    const since = spec.initiate ? startedAt - (options.replaySkewMs ?? 60_000) : 0;
    const initial = spec.initiate
      ? await startRestores(spec, { restorer: options.restorer, concurrency: options.s3Concurrency, now })
      : spec.objects.map(() => ({
          status: 'requested' as const,
          expectedDurationMs: restoreWindow(spec.tier, archiveFamily(undefined)).maxMs,
        }));
    const registered = await options.store.register({
      spec,
      initial,
      replaySince: since,
      ...(spec.initiate ? { eventsSince: since } : {}),
      firstDueAt: firstDue(initial, now(), options),
      ...(idempotency ? { idempotency } : {}),
    });
    try {
      await options.queueNotifications(registered.id, registered.pending);
    } catch (error) {
      // Stored, and the email is decided: the reconciler's outbox sweep queues it later.
      options.logger.warn({ err: error, requestId: registered.id }, 'could not queue notifications yet');
    }
    return {
      request: await readBack(options.store, registered.id),
      created: registered.outcome === 'created',
    };
  };
}

async function readBack(store: RestoreStore, id: string): Promise<RestoreRequest> {
  const request = await store.get(id);
  if (!request) throw new Error(`request ${id} vanished right after it was stored`);
  return request;
}

function firstDue(initial: readonly InitialObjectState[], now: number, options: RegistrarOptions): number {
  const times = initial.map((state) => {
    if (state.status === 'initiated' && state.expectedByMs !== undefined) {
      return state.expectedByMs + options.overdueMarginMs;
    }
    if (state.status === 'completed' && state.expiry !== undefined)
      return state.expiry.ms + options.expiryCheckMs;
    return now + options.startGraceMs;
  });
  return Math.min(...times);
}
