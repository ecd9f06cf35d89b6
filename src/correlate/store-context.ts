import type { RedisClient } from '../redis/redis-connection';
import type { NotificationKind } from '../domain/restore-request';
import { requestKeyTemplates } from '../keys';
import type { RedisKeys } from '../keys';
import { createIdempotencyRecords } from './idempotency-records';
import type { IdempotencyRecords } from './idempotency-records';
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
import { defineScript } from '../redis/redis-script';
import type { RedisScript } from '../redis/redis-script';
import type { StoreTuning } from './restore-store-types';

/** The Lua scripts the store runs, each defined once per store. */
export interface StoreScripts {
  readonly applyEvent: RedisScript;
  /** The registration script for a number of keys (see `registerScripts`). */
  readonly register: (keyCount: number) => RedisScript;
  readonly applyToRequest: RedisScript;
  readonly decide: RedisScript;
  readonly markQueued: RedisScript;
  readonly cancel: RedisScript;
  readonly recordDownload: RedisScript;
}

/** Everything the store's operations share: the connection, the keys, the tuning, the scripts. */
export interface StoreContext {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly tuning: StoreTuning;
  /** Names the scripts only learn at run time, as keys.ts' templates (see lua/scripts.ts). */
  readonly templates: string;
  readonly scripts: StoreScripts;
  readonly idempotency: IdempotencyRecords;
  /** The schedule, reminder and outbox sets most scripts touch. */
  readonly shared: readonly string[];
}

export function createStoreContext(redis: RedisClient, keys: RedisKeys, tuning: StoreTuning): StoreContext {
  return {
    redis,
    keys,
    tuning,
    templates: JSON.stringify(requestKeyTemplates(keys)),
    scripts: {
      applyEvent: defineScript(redis, 'thawApplyEvent', APPLY_EVENT_LUA, 6),
      register: registerScripts(redis),
      applyToRequest: defineScript(redis, 'thawApplyToRequest', APPLY_TO_REQUEST_LUA, 6),
      decide: defineScript(redis, 'thawDecideNotification', DECIDE_NOTIFICATION_LUA, 2),
      markQueued: defineScript(redis, 'thawMarkQueued', MARK_QUEUED_LUA, 2),
      cancel: defineScript(redis, 'thawCancel', CANCEL_REQUEST_LUA, 6),
      recordDownload: defineScript(redis, 'thawRecordDownload', RECORD_DOWNLOAD_LUA, 1),
    },
    idempotency: createIdempotencyRecords(redis, keys, tuning.idempotencyClaimMs),
    shared: [keys.due, keys.remind, keys.outbox],
  };
}

/** The three keys of one request: its state hash, its spec, its event history. */
export function requestKeys(context: StoreContext, id: string): string[] {
  const { keys } = context;
  return [keys.request(id), keys.requestSpec(id), keys.requestEvents(id)];
}

/** The tuning argument every state-changing script takes, as JSON. */
export function scriptTuning(context: StoreContext, now = Date.now()): string {
  const { tuning } = context;
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
}

export function unmatchedKey(keys: RedisKeys): string {
  return keys.earlyIndex;
}

export function splitKinds(joined: string): NotificationKind[] {
  return joined === '' ? [] : (joined.split(',') as NotificationKind[]);
}

/**
 * The registration step, by how many keys it declares (two per distinct object, see
 * REGISTER_REQUEST_LUA); every one runs the same script, by the same SHA.
 */
function registerScripts(redis: RedisClient): (keyCount: number) => RedisScript {
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
