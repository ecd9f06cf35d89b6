import type { RestoreRequest, RestoreRequestSpec } from '../domain/restore-request';
import { archiveFamily, restoreWindow } from '../domain/restore-times';
import type { Logger } from '../logger';
import type { InitialObjectState, RestoreStore } from '../correlate/restore-store';
import type { QueueNotifications } from '../queue/notification-producer';
import type { S3Restorer } from './s3-restorer';
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
  /** Events of the objects received this long before the restore was started are replayed, ms. */
  readonly replaySkewMs?: number;
  readonly now?: () => number;
}

export interface RegisterOutcome {
  readonly request: RestoreRequest;
  /** False when an Idempotency-Key named an earlier request, which is returned instead. */
  readonly created: boolean;
}

export type RegisterRequest = (spec: RestoreRequestSpec, idempotencyKey?: string) => Promise<RegisterOutcome>;

/**
 * Registers a customer's interest: starts the restores when asked to, stores the request with
 * each object's starting point, and queues any email already decided (an object that was
 * downloadable at once). S3 errors (unknown object, no access) propagate and nothing is stored.
 */
export function createRequestRegistrar(options: RegistrarOptions): RegisterRequest {
  const now = options.now ?? Date.now;
  return async (spec, idempotencyKey) => {
    const startedAt = now();
    const initial = spec.initiate
      ? await startRestores(spec, { restorer: options.restorer, concurrency: options.s3Concurrency, now })
      : spec.objects.map(() => ({
          s: 'requested' as const,
          w: restoreWindow(spec.tier, archiveFamily(undefined)).maxMs,
        }));
    const registered = await options.store.register({
      spec,
      initial,
      // When thaw started the restore itself, older events of the object belong to an earlier
      // restore and must not be replayed into this request; otherwise anything in the window counts.
      replaySince: spec.initiate ? startedAt - (options.replaySkewMs ?? 60_000) : 0,
      firstDueAt: firstDue(initial, now(), options),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    });
    try {
      await options.queueNotifications(registered.id, registered.pending);
    } catch (error) {
      // Stored, and the email is decided: the reconciler's outbox sweep queues it later.
      options.logger.warn({ err: error, requestId: registered.id }, 'could not queue notifications yet');
    }
    const request = await options.store.get(registered.id);
    if (!request) throw new Error(`request ${registered.id} vanished right after it was stored`);
    return { request, created: registered.outcome === 'created' };
  };
}

function firstDue(initial: readonly InitialObjectState[], now: number, options: RegistrarOptions): number {
  const times = initial.map((state) => {
    if (state.s === 'initiated' && state.e !== undefined) return state.e + options.overdueMarginMs;
    if (state.s === 'completed' && state.xm !== undefined) return state.xm + options.expiryCheckMs;
    return now + options.startGraceMs;
  });
  return Math.min(...times);
}
