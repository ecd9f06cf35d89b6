import type { Redis } from 'ioredis';
import { objectDigest } from '../domain/object-ref';
import type { NotificationKind, RestoreRequest, RestoreRequestSpec } from '../domain/restore-request';
import type { RestoreEvent } from '../domain/types';
import { requestKeyTemplates } from '../keys';
import type { RedisKeys } from '../keys';
import { createIdempotencyRecords, idempotencyKeyHash } from './idempotency-records';
import type { IdempotencyClaim, IdempotencyUse } from './idempotency-records';
import {
  APPLY_EVENT_LUA,
  APPLY_TO_REQUEST_LUA,
  CANCEL_REQUEST_LUA,
  DECIDE_NOTIFICATION_LUA,
  RECORD_DOWNLOAD_LUA,
  MARK_QUEUED_LUA,
} from './lua/scripts';
import { REGISTER_REQUEST_LUA } from './lua/register-script';
import type { ScriptTuning } from './lua/scripts';
import { defineScript } from './redis-script';
import type { RedisScript } from './redis-script';
import { readRequest } from './request-view';
import { isRequestId, newRequestId } from './request-id';

export interface StoreTuning {
  /** How long finished requests stay readable, ms (REQUEST_RETENTION_SECONDS). */
  readonly retentionMs: number;
  /** Grace after the expected restore time before a request is overdue, ms. */
  readonly overdueMarginMs: number;
  /** How long after a copy's expiry the reconciler checks for a lost expiry event, ms. */
  readonly expiryCheckMs: number;
  /** How long before a copy expires the `expiring` reminder goes out, ms. */
  readonly reminderLeadMs: number;
  /** How long events wait for a request registered after them, ms (EARLY_EVENT_WINDOW_SECONDS). */
  readonly earlyWindowMs: number;
  /** How long an Idempotency-Key of POST /v1/restores is remembered, ms. */
  readonly idempotencyTtlMs: number;
  /** How long a first use holds its Idempotency-Key while S3 is asked, ms. Default 120000. */
  readonly idempotencyClaimMs?: number;
  readonly historyCap: number;
}

/** One object's state as registration found it (from HeadObject/RestoreObject, or `requested`). */
export interface InitialObjectState {
  readonly s: 'requested' | 'initiated' | 'completed' | 'failed';
  /** Expected restore duration for this object's tier and class, ms. */
  readonly w: number;
  /** Expected-by time when the restore is known to be running, ms. */
  readonly e?: number;
  readonly c?: string;
  readonly x?: string;
  readonly xm?: number;
  readonly z?: number;
  readonly r?: string;
}

export interface NewRequest {
  readonly spec: RestoreRequestSpec;
  readonly initial: readonly InitialObjectState[];
  /** Events of these objects received at or after this time (ms) are replayed into the request. */
  readonly replaySince: number;
  /**
   * Set when thaw started the restore itself: events timed before this (ms) tell of an earlier
   * restore of the object (or are old messages replayed) and never move the request.
   */
  readonly eventsSince?: number;
  /** When the reconciler first looks at the request, ms. */
  readonly firstDueAt: number;
  /** The Idempotency-Key it came with, claimed first (`claimIdempotency`); stored with the request. */
  readonly idempotency?: IdempotencyUse;
}

export interface RegisterResult {
  readonly outcome: 'created' | 'exists';
  readonly id: string;
  readonly pending: NotificationKind[];
}

export type EventEffect = 'applied' | 'updated' | 'late' | 'duplicate' | 'missing';

export interface EventOutcome {
  readonly requestId: string;
  readonly effect: EventEffect;
  /** Notifications decided for this request and not yet queued (the outbox). */
  readonly pending: NotificationKind[];
}

export interface ApplyResult {
  readonly matched: number;
  readonly outcomes: EventOutcome[];
  /** Unmatched events (of any object) whose early-event window ended, dropped from the index. */
  readonly unmatchedDropped: number;
}

export interface RestoreStore {
  /** Looks up an Idempotency-Key before anything else is done for its request, claiming it if new. */
  claimIdempotency(use: IdempotencyUse): Promise<IdempotencyClaim>;
  /** Frees a claimed key whose request was not stored (S3 refused, Expedited unavailable...). */
  releaseIdempotency(use: IdempotencyUse, token: string): Promise<void>;
  register(request: NewRequest): Promise<RegisterResult>;
  /**
   * The request; `{ events: false }` skips its event history (one list less to read). Null for an
   * unknown id, and, without asking Redis, for any string that is not a request id.
   */
  get(id: string, options?: { events?: boolean }): Promise<RestoreRequest | null>;
  listIdsByObject(bucket: string, key: string, versionId?: string | null): Promise<string[]>;
  applyEvent(
    event: RestoreEvent,
    eventId: string,
    options?: { replay?: boolean; receivedAt?: number },
  ): Promise<ApplyResult>;
  /** Marks one object of one request failed (a restore that never started, an object gone). */
  failObject(id: string, objectIndex: number, reason: string): Promise<EventOutcome>;
  decideNotification(id: string, kind: NotificationKind, whileStatus: readonly string[]): Promise<boolean>;
  /** A customer followed the download link of one object; true the first time for that object. */
  recordDownload(id: string, objectIndex: number, at?: number): Promise<boolean>;
  /** Marks notifications queued (their jobs exist); returns how many were still pending. */
  markQueued(id: string, kinds: readonly NotificationKind[]): Promise<number>;
  /** False for an unknown id (and, without asking Redis, for a string that is not a request id). */
  cancel(id: string): Promise<boolean>;
  dueIds(now: number, limit: number): Promise<string[]>;
  reschedule(id: string, at: number): Promise<void>;
  unschedule(id: string): Promise<void>;
  remindersDue(now: number, limit: number): Promise<string[]>;
  removeReminder(id: string): Promise<void>;
  outboxOlderThan(before: number, limit: number): Promise<{ id: string; kind: NotificationKind }[]>;
  /** Removes early events whose window ended without a request picking them up; returns how many. */
  dropUnmatched(now: number, limit: number): Promise<number>;
}

export function createRestoreStore(redis: Redis, keys: RedisKeys, tuning: StoreTuning): RestoreStore {
  // Names the scripts only learn at run time, as keys.ts' templates (see lua/scripts.ts).
  const templates = JSON.stringify(requestKeyTemplates(keys));
  const applyEvent = defineScript(redis, 'thawApplyEvent', APPLY_EVENT_LUA, 6);
  const registerScript = registerScripts(redis);
  const applyToRequest = defineScript(redis, 'thawApplyToRequest', APPLY_TO_REQUEST_LUA, 6);
  const decide = defineScript(redis, 'thawDecideNotification', DECIDE_NOTIFICATION_LUA, 2);
  const markQueued = defineScript(redis, 'thawMarkQueued', MARK_QUEUED_LUA, 2);
  const cancel = defineScript(redis, 'thawCancel', CANCEL_REQUEST_LUA, 6);
  const recordDownload = defineScript(redis, 'thawRecordDownload', RECORD_DOWNLOAD_LUA, 1);
  const shared = [keys.due, keys.remind, keys.outbox];
  const requestKeys = (id: string) => [keys.request(id), keys.requestSpec(id), keys.requestEvents(id)];
  const idempotency = createIdempotencyRecords(redis, keys, tuning.idempotencyClaimMs);

  const scriptTuning = (now = Date.now()): string => {
    const value: ScriptTuning = {
      now,
      retention: tuning.retentionMs,
      cap: tuning.historyCap,
      margin: tuning.overdueMarginMs,
      expiryCheck: tuning.expiryCheckMs,
      lead: tuning.reminderLeadMs,
      window: tuning.earlyWindowMs,
    };
    return JSON.stringify(value);
  };

  return {
    claimIdempotency: (use) => idempotency.claim(use),
    releaseIdempotency: (use, token) => idempotency.release(use, token),

    async register(request) {
      const id = newRequestId();
      const objects = request.spec.objects.map((object, index) => {
        const digest = objectDigest(object.bucket, object.key);
        const entry: Record<string, unknown> = { d: digest, st: { ...request.initial[index] } };
        if (object.versionId !== null) entry.v = object.versionId;
        return entry;
      });
      const spec = {
        ...request.spec,
        objects: request.spec.objects.map((object, index) => ({ ...object, d: objects[index]?.d })),
      };
      const payload = {
        id,
        spec: JSON.stringify(spec),
        remind: request.spec.remindBeforeExpiry ? 1 : 0,
        objects,
        replaySince: request.replaySince,
        ...(request.eventsSince !== undefined ? { since: request.eventsSince } : {}),
        firstDue: request.firstDueAt,
        ...(request.idempotency
          ? { idem: { fp: request.idempotency.fingerprint, ttl: tuning.idempotencyTtlMs } }
          : {}),
      };
      const idemKey = keys.idempotency(
        request.idempotency ? idempotencyKeyHash(request.idempotency.key) : '-',
      );
      const objectKeys = [...new Set(objects.map((object) => String(object.d)))].flatMap((digest) => [
        keys.objectIndexByDigest(digest),
        keys.earlyEvents(digest),
      ]);
      const scriptKeys = [idemKey, unmatchedKey(keys), ...requestKeys(id), ...shared, ...objectKeys];
      const [outcome, storedId, pending] = (await registerScript(scriptKeys.length)(scriptKeys, [
        templates,
        scriptTuning(),
        JSON.stringify(payload),
      ])) as [string, string, string];
      return {
        outcome: outcome === 'exists' ? 'exists' : 'created',
        id: storedId,
        pending: splitKinds(pending),
      };
    },

    get: (id, options) => (isRequestId(id) ? readRequest(redis, keys, id, options) : Promise.resolve(null)),

    async listIdsByObject(bucket, key, versionId) {
      const members = await redis.zrange(keys.objectIndex(bucket, key), 0, -1);
      const ids = new Set<string>();
      for (const member of members) {
        const [id, , version] = member.split('|');
        if (!id) continue;
        if (versionId === undefined || version === '*' || version === (versionId ?? 'null')) ids.add(id);
      }
      return [...ids];
    },

    async applyEvent(event, eventId, options = {}) {
      const digest = objectDigest(event.bucket, event.key);
      const reply = (await applyEvent(
        [keys.objectIndexByDigest(digest), keys.earlyEvents(digest), unmatchedKey(keys), ...shared],
        [
          templates,
          scriptTuning(),
          JSON.stringify(toScriptEvent(event, eventId, options.receivedAt)),
          digest,
          options.replay ? 'replay' : '',
        ],
      )) as (string | number)[];
      const outcomes: EventOutcome[] = [];
      for (let index = 2; index + 2 < reply.length; index += 3) {
        outcomes.push({
          requestId: String(reply[index]),
          effect: String(reply[index + 1]) as EventEffect,
          pending: splitKinds(String(reply[index + 2] ?? '')),
        });
      }
      return { matched: Number(reply[0]), outcomes, unmatchedDropped: Number(reply[1]) };
    },

    async failObject(id, objectIndex, reason) {
      const now = Date.now();
      const failure = {
        id: `failed-${objectIndex}`,
        k: 'failed',
        t: new Date(now).toISOString(),
        tm: now,
        src: 'reconcile',
        ra: now,
        r: reason,
      };
      const [effect, pending] = (await applyToRequest(
        [...requestKeys(id), ...shared],
        [templates, scriptTuning(now), id, String(objectIndex), JSON.stringify(failure)],
      )) as [string, string];
      return { requestId: id, effect: effect as EventEffect, pending: splitKinds(pending) };
    },

    async decideNotification(id, kind, whileStatus) {
      return (
        (await decide([keys.request(id), keys.outbox], [scriptTuning(), id, kind, whileStatus.join(',')])) ===
        1
      );
    },

    async recordDownload(id, objectIndex, at = Date.now()) {
      return (await recordDownload([keys.request(id)], [String(objectIndex), String(at)])) === 1;
    },

    async markQueued(id, kinds) {
      if (kinds.length === 0) return 0;
      return Number(await markQueued([keys.request(id), keys.outbox], [id, ...kinds]));
    },

    async cancel(id) {
      if (!isRequestId(id)) return false;
      return (await cancel([...requestKeys(id), ...shared], [templates, scriptTuning(), id])) === 1;
    },

    dueIds: (now, limit) => redis.zrangebyscore(keys.due, '-inf', now, 'LIMIT', 0, limit),
    async reschedule(id, at) {
      // XX: a request that finished meanwhile (and left the schedule) is not put back.
      await redis.zadd(keys.due, 'XX', at, id);
    },
    async unschedule(id) {
      await redis.zrem(keys.due, id);
    },
    remindersDue: (now, limit) => redis.zrangebyscore(keys.remind, '-inf', now, 'LIMIT', 0, limit),
    async removeReminder(id) {
      await redis.zrem(keys.remind, id);
    },

    async outboxOlderThan(before, limit) {
      const members = await redis.zrangebyscore(keys.outbox, '-inf', before, 'LIMIT', 0, limit);
      return members.flatMap((member) => {
        const [id, kind] = member.split('|');
        return id && kind ? [{ id, kind: kind as NotificationKind }] : [];
      });
    },

    async dropUnmatched(now, limit) {
      const members = await redis.zrangebyscore(unmatchedKey(keys), '-inf', now, 'LIMIT', 0, limit);
      if (members.length === 0) return 0;
      return redis.zrem(unmatchedKey(keys), ...members);
    },
  };
}

/**
 * The registration step, by how many keys it declares (two per distinct object, see
 * REGISTER_REQUEST_LUA); every one runs the same script, by the same SHA.
 */
function registerScripts(redis: Redis): (keyCount: number) => RedisScript {
  const byCount = new Map<number, RedisScript>();
  return (keyCount) => {
    let script = byCount.get(keyCount);
    if (!script) {
      script = defineScript(redis, 'thawRegister', REGISTER_REQUEST_LUA, keyCount);
      byCount.set(keyCount, script);
    }
    return script;
  };
}

function unmatchedKey(keys: RedisKeys): string {
  return keys.earlyIndex;
}

function splitKinds(joined: string): NotificationKind[] {
  return joined === '' ? [] : (joined.split(',') as NotificationKind[]);
}

/** The compact event the scripts read; absent fields are left out (Lua sees JSON null as a value). */
function toScriptEvent(
  event: RestoreEvent,
  eventId: string,
  receivedAt = Date.now(),
): Record<string, unknown> {
  const scripted: Record<string, unknown> = {
    id: eventId,
    k: event.kind,
    t: event.eventTime,
    tm: Date.parse(event.eventTime),
    src: event.source,
    ra: receivedAt,
  };
  if (event.versionId !== null) scripted.v = event.versionId;
  if (event.sequencer) scripted.q = event.sequencer;
  if (event.restoreExpiryTime) {
    scripted.x = event.restoreExpiryTime;
    scripted.xm = Date.parse(event.restoreExpiryTime);
  }
  if (event.storageClass) scripted.c = event.storageClass;
  if (event.size !== undefined) scripted.z = event.size;
  return scripted;
}
