import type { RedisClient } from '../redis/redis-connection';
import type { RedisKeys } from '../keys';
import { readRequest } from './request-view';
import { isRequestId } from './request-id';
import type { RestoreStore, StoreTuning } from './restore-store-types';
import { createStoreContext } from './store-context';
import { applyEvent, failObject } from './store-events';
import * as indexes from './store-indexes';
import { registerRequest } from './store-register';
import { cancelRequest, decideNotification, markQueued, recordDownload } from './store-request-ops';

export type {
  ApplyResult,
  EventEffect,
  EventOutcome,
  InitialObjectState,
  NewRequest,
  RegisterResult,
  RestoreStore,
  StoreTuning,
} from './restore-store-types';

/**
 * The restore store: requests, their objects' states and the sets around them, in Redis. Each
 * operation is a named function over one `StoreContext` (store-context.ts).
 */
export function createRestoreStore(redis: RedisClient, keys: RedisKeys, tuning: StoreTuning): RestoreStore {
  const context = createStoreContext(redis, keys, tuning);
  const { idempotency } = context;
  return {
    claimIdempotency: (use) => idempotency.claim(use),
    releaseIdempotency: (use, token) => idempotency.release(use, token),
    register: (request) => registerRequest(context, request),
    get: (id, options) => (isRequestId(id) ? readRequest(redis, keys, id, options) : Promise.resolve(null)),
    listIdsByObject: (bucket, key, versionId) => indexes.listIdsByObject(context, bucket, key, versionId),
    applyEvent: (event, eventId, options) => applyEvent(context, event, eventId, options),
    failObject: (id, objectIndex, reason) => failObject(context, id, objectIndex, reason),
    decideNotification: (id, kind, whileStatus) => decideNotification(context, id, kind, whileStatus),
    recordDownload: (id, objectIndex, at) => recordDownload(context, id, objectIndex, at),
    markQueued: (id, kinds) => markQueued(context, id, kinds),
    cancel: (id) => cancelRequest(context, id),
    dueIds: (now, limit) => indexes.dueIds(context, now, limit),
    reschedule: (id, at) => indexes.reschedule(context, id, at),
    unschedule: (id) => indexes.unschedule(context, id),
    remindersDue: (now, limit) => indexes.remindersDue(context, now, limit),
    removeReminder: (id) => indexes.removeReminder(context, id),
    outboxOlderThan: (before, limit) => indexes.outboxOlderThan(context, before, limit),
    dropUnmatched: (now, limit) => indexes.dropUnmatched(context, now, limit),
  };
}
