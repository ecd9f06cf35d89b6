import { PRELUDE_LUA } from './prelude';

/**
 * The correlation steps that must be atomic, as Redis scripts (registration's is in
 * register-script.ts). Each runs as one EVALSHA: a request's status, its notification outbox and
 * its schedule always agree, whatever runs concurrently (several workers, the API registering a
 * request while its events arrive).
 *
 * Every key name comes from keys.ts. A step declares as KEYS every key its caller can name; the
 * keys it only finds at run time (the requests listed in an object index, the object indexes in a
 * request's spec that a finishing request lets expire, the request an Idempotency-Key record
 * points to) it fills into `RequestKeyTemplates` (keys.ts) passed as ARGV[1]. Redis Cluster would
 * not route those undeclared keys: there they need a hash-tagged prefix (`{thaw}`) putting every
 * key in the slot of the declared ones (not done here; a single Redis needs nothing).
 */

/** Arguments shared by the scripts, passed as one JSON object (the tuning JSON below). */
export interface ScriptTuning {
  readonly now: number;
  /** How long finished requests are kept, ms. */
  readonly retention: number;
  /** Longest event history kept per request. */
  readonly cap: number;
  /** Grace after the expected restore time before a request counts as overdue, ms. */
  readonly margin: number;
  /** How long after a copy's expiry the reconciler looks for a missing expiry event, ms. */
  readonly expiryCheck: number;
  /** How long before a copy expires the `expiring` reminder goes out, ms. */
  readonly lead: number;
  /** How long events are kept for requests registered after them, ms. */
  readonly window: number;
}

/**
 * KEYS: [1] object index, [2] recent events of the object, [3] unmatched-events zset, [4] due,
 *       [5] remind, [6] outbox.
 * ARGV: [1] RequestKeyTemplates JSON (the requests the index lists, and their objects' indexes,
 *       are only known once it is read), [2] tuning JSON, [3] event JSON, [4] object digest,
 *       [5] 'replay' to skip recording the event in the recent buffer.
 * Returns { matched, dropped, id1, effect1, 'k1,k2', id2, ... }: pending notification kinds per
 * request; `dropped` counts unmatched events whose window ended, taken off the index (KEYS[3]).
 */
export const APPLY_EVENT_LUA = `${PRELUDE_LUA}
local templates = cjson.decode(ARGV[1])
local args = cjson.decode(ARGV[2])
local ev = cjson.decode(ARGV[3])
local digest = ARGV[4]
local replay = ARGV[5] == 'replay'
local version = ev.v or 'null'
local shared = { due = KEYS[4], remind = KEYS[5], outbox = KEYS[6], index = templatedIndex(templates) }

redis.call('ZREMRANGEBYSCORE', KEYS[1], '(0', args.now)
-- Unmatched events whose window ended leave the index here, all of them: events of restores
-- started outside thaw (S3 Batch Operations over a bucket) may come faster than any periodic sweep.
local dropped = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', args.now)
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = { 0, dropped }
for _, member in ipairs(members) do
  local id, index, wanted = string.match(member, '^(.-)|(%d+)|(.*)$')
  if id and versionMatches(wanted, version) then
    local ctx = contextFor(id, args, templatedKeys(templates, id, shared))
    if redis.call('EXISTS', ctx.reqKey) == 0 then
      redis.call('ZREM', KEYS[1], member)
    else
      local effect = applyToObject(ctx, tonumber(index), ev)
      if effect == 'applied' or effect == 'updated' then settle(ctx) end
      out[1] = out[1] + 1
      table.insert(out, id)
      table.insert(out, effect)
      table.insert(out, table.concat(pendingKinds(ctx), ','))
    end
  end
end
if not replay then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('LTRIM', KEYS[2], -100, -1)
  redis.call('PEXPIRE', KEYS[2], args.window)
  if out[1] == 0 then redis.call('ZADD', KEYS[3], args.now + args.window, digest .. '|' .. ev.id) end
end
return out
`;

/**
 * Applies one event to one object of one request only: the reconciler's findings that concern a
 * single request (a restore that never started, an object gone) rather than the object for all.
 * KEYS: [1] request hash, [2] its spec, [3] its event history, [4] due, [5] remind, [6] outbox.
 * ARGV: [1] RequestKeyTemplates JSON (only `objectIndex`: a request this finishes lets the
 *       indexes of the objects in its spec expire, known once the spec is read), [2] tuning JSON,
 *       [3] id, [4] object index, [5] event JSON.
 * Returns { effect, pending kinds joined by ',' } or { 'missing', '' }.
 */
export const APPLY_TO_REQUEST_LUA = `${PRELUDE_LUA}
local ctx = contextFor(ARGV[3], cjson.decode(ARGV[2]), {
  req = KEYS[1], spec = KEYS[2], ev = KEYS[3], due = KEYS[4], remind = KEYS[5], outbox = KEYS[6],
  index = templatedIndex(cjson.decode(ARGV[1])),
})
if redis.call('EXISTS', ctx.reqKey) == 0 then return { 'missing', '' } end
local effect = applyToObject(ctx, tonumber(ARGV[4]), cjson.decode(ARGV[5]))
if effect == 'applied' or effect == 'updated' then settle(ctx) end
return { effect, table.concat(pendingKinds(ctx), ',') }
`;

/**
 * Decides a notification the reconciler found due (`delayed`, `expiring`), once per request,
 * only while the request is in a state where it makes sense. The `expiring` reminder is for
 * customers who have not downloaded yet: once every ready object was fetched through its
 * `/d/:token` link (RECORD_DOWNLOAD_LUA), it is not sent.
 * KEYS: [1] request hash, [2] outbox. ARGV: [1] tuning JSON, [2] id, [3] kind,
 * [4] allowed statuses (comma-separated).
 * Returns 1 when the notification was newly decided.
 */
export const DECIDE_NOTIFICATION_LUA = `${PRELUDE_LUA}
local ctx = contextFor(ARGV[2], cjson.decode(ARGV[1]), { req = KEYS[1], outbox = KEYS[2] })
local status = redis.call('HGET', ctx.reqKey, 'status')
if not status then return 0 end
if not string.find(',' .. ARGV[4] .. ',', ',' .. status .. ',', 1, true) then return 0 end
if ARGV[3] == 'expiring' then
  local downloaded, ready = unpack(redis.call('HMGET', ctx.reqKey, 'dn', 'c:completed'))
  if (tonumber(ready) or 0) > 0 and (tonumber(downloaded) or 0) >= tonumber(ready) then return 0 end
end
return queueNotification(ctx, ARGV[3]) and 1 or 0
`;

/**
 * Records that one object of a request was downloaded through its `/d/:token` link: the first
 * time per object only, and never for a request that is already gone (no key is re-created).
 * KEYS: [1] request hash. ARGV: [1] object index, [2] now (ms). Returns 1 for a first download.
 */
export const RECORD_DOWNLOAD_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'dn:' .. ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'dn', 1)
return 1
`;

/**
 * Marks outbox notifications as queued (their BullMQ jobs exist) and takes them off the outbox.
 * KEYS: [1] request hash, [2] outbox. ARGV: [1] id, [2...] kinds. Returns how many were pending.
 */
export const MARK_QUEUED_LUA = `
local marked = 0
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[2], ARGV[1] .. '|' .. ARGV[i])
  local state = redis.call('HGET', KEYS[1], 'n:' .. ARGV[i])
  if state and string.find(state, '"pending"', 1, true) then
    redis.call('HSET', KEYS[1], 'n:' .. ARGV[i], '{"s":"queued"}')
    marked = marked + 1
  end
end
return marked
`;

/**
 * Stops notifications for a request: pending ones are cancelled, the request finishes (kept for
 * the retention period, then gone).
 * KEYS: [1] request hash, [2] its spec, [3] its event history, [4] due, [5] remind, [6] outbox.
 * ARGV: [1] RequestKeyTemplates JSON (only `objectIndex`, as APPLY_TO_REQUEST_LUA), [2] tuning
 * JSON, [3] id.
 * Returns 0 for an unknown request, 1 otherwise.
 */
export const CANCEL_REQUEST_LUA = `${PRELUDE_LUA}
local ctx = contextFor(ARGV[3], cjson.decode(ARGV[2]), {
  req = KEYS[1], spec = KEYS[2], ev = KEYS[3], due = KEYS[4], remind = KEYS[5], outbox = KEYS[6],
  index = templatedIndex(cjson.decode(ARGV[1])),
})
if redis.call('EXISTS', ctx.reqKey) == 0 then return 0 end
redis.call('HSETNX', ctx.reqKey, 'cancelled', ctx.now)
for _, kind in ipairs({ 'initiated', 'completed', 'expiring', 'expired', 'delayed', 'failed' }) do
  local state = redis.call('HGET', ctx.reqKey, 'n:' .. kind)
  if state and string.find(state, '"pending"', 1, true) then
    redis.call('HSET', ctx.reqKey, 'n:' .. kind, '{"s":"cancelled"}')
    redis.call('ZREM', ctx.outboxKey, ctx.id .. '|' .. kind)
  end
end
finish(ctx)
return 1
`;
