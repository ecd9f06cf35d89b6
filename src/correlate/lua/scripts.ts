import { FINISH_IDEMPOTENCY_LUA } from '../idempotency-records';
import { PRELUDE_LUA } from './prelude';

/**
 * The correlation steps that must be atomic, as Redis scripts. Each runs as one EVALSHA: a
 * request's status, its notification outbox and its schedule always agree, whatever runs
 * concurrently (several workers, the API registering a request while its events arrive).
 *
 * Keys of requests and object indexes are derived inside the scripts from the prefix; with a
 * hash-tagged prefix (`{thaw}`) they all share the slot of the declared keys.
 */

/** Arguments shared by the scripts, passed as one JSON object (ARGV[2]). */
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
 * KEYS: [1] object index, [2] recent events of the object, [3] unmatched-events zset.
 * ARGV: [1] prefix with trailing ':', [2] tuning JSON, [3] event JSON, [4] object digest,
 *       [5] 'replay' to skip recording the event in the recent buffer.
 * Returns { matched, dropped, id1, effect1, 'k1,k2', id2, ... }: pending notification kinds per
 * request; `dropped` counts unmatched events whose window ended, taken off the index (KEYS[3]).
 */
export const APPLY_EVENT_LUA = `${PRELUDE_LUA}
local prefix = ARGV[1]
local args = cjson.decode(ARGV[2])
local ev = cjson.decode(ARGV[3])
local digest = ARGV[4]
local replay = ARGV[5] == 'replay'
local version = ev.v or 'null'

redis.call('ZREMRANGEBYSCORE', KEYS[1], '(0', args.now)
-- Unmatched events whose window ended leave the index here, all of them: events of restores
-- started outside thaw (S3 Batch Operations over a bucket) may come faster than any periodic sweep.
local dropped = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', args.now)
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = { 0, dropped }
for _, member in ipairs(members) do
  local id, index, wanted = string.match(member, '^(.-)|(%d+)|(.*)$')
  if id and versionMatches(wanted, version) then
    local ctx = contextFor(prefix, id, args)
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
 * Stores a new request, indexes its objects, settles its initial state (objects S3 already
 * reported restored complete at once) and replays the object's recent events into it.
 * KEYS: [1] the Idempotency-Key's record (or a dummy when none), [2] unmatched-events zset.
 * ARGV: [1] prefix, [2] tuning JSON, [3] request JSON:
 *   { id, spec, remind, objects: [{ d, v, st }], replaySince, since?, firstDue, idem?: { fp, ttl } }
 * Returns { 'created'|'exists', id, pending kinds joined by ',' }.
 */
export const REGISTER_REQUEST_LUA = `${PRELUDE_LUA}
${FINISH_IDEMPOTENCY_LUA}
local prefix = ARGV[1]
local args = cjson.decode(ARGV[2])
local req = cjson.decode(ARGV[3])
if req.idem then
  local existing = finishIdempotency(KEYS[1], prefix, req.id, req.idem)
  if existing then return { 'exists', existing, '' } end
end
local ctx = contextFor(prefix, req.id, args)
local n = #req.objects
-- The spec (hundreds of bytes, read only when showing or finishing the request) lives in a key of
-- its own: inside the hash it would push the whole hash out of Redis' compact encoding.
redis.call('SET', ctx.specKey, req.spec)
local fields = { 'status', 'requested', 'n', n, 'f', 0, 'remind', req.remind,
  'created', args.now, 'updated', args.now,
  'c:requested', 0, 'c:initiated', 0, 'c:completed', 0, 'c:expired', 0, 'c:failed', 0 }
if present(req.since) then
  table.insert(fields, 'since')
  table.insert(fields, req.since)
end
redis.call('HSET', ctx.reqKey, unpack(fields))
local counts = {}
local final = 0
for i, object in ipairs(req.objects) do
  local st = object.st
  redis.call('HSET', ctx.reqKey, 'o:' .. (i - 1), cjson.encode(st))
  counts[st.s] = (counts[st.s] or 0) + 1
  if isFinal(st) then final = final + 1 end
  if st.s == 'completed' and present(st.xm) then
    local current = tonumber(redis.call('HGET', ctx.reqKey, 'xm'))
    if not current or st.xm < current then redis.call('HSET', ctx.reqKey, 'xm', st.xm, 'x', st.x) end
  end
  local index = prefix .. 'obj:' .. object.d
  redis.call('ZADD', index, 0, req.id .. '|' .. (i - 1) .. '|' .. (object.v or '*'))
  redis.call('PERSIST', index)
end
for status, count in pairs(counts) do redis.call('HSET', ctx.reqKey, 'c:' .. status, count) end
redis.call('HSET', ctx.reqKey, 'f', final)
-- A safety net: nothing stays forever, even if every later event and check were lost.
redis.call('PEXPIRE', ctx.reqKey, args.retention + 400 * 86400000)
redis.call('PEXPIRE', ctx.specKey, args.retention + 400 * 86400000)
redis.call('ZADD', ctx.dueKey, req.firstDue, req.id)
settle(ctx)

-- Events that arrived before this request (same object, matching version) apply to it now.
local seen = {}
for i, object in ipairs(req.objects) do
  if not seen[object.d] then
    seen[object.d] = true
    for _, raw in ipairs(redis.call('LRANGE', prefix .. 'early:' .. object.d, 0, -1)) do
      local ev = cjson.decode(raw)
      if ev.ra >= req.replaySince and ev.ra >= args.now - args.window then
        local applied = false
        for j, other in ipairs(req.objects) do
          if other.d == object.d and versionMatches(other.v or '*', ev.v or 'null') then
            local effect = applyToObject(ctx, j - 1, ev)
            if effect == 'applied' or effect == 'updated' then applied = true end
          end
        end
        if applied then
          redis.call('ZREM', KEYS[2], object.d .. '|' .. ev.id)
          settle(ctx)
        end
      end
    end
  end
end
return { 'created', req.id, table.concat(pendingKinds(ctx), ',') }
`;

/**
 * Applies one event to one object of one request only: the reconciler's findings that concern a
 * single request (a restore that never started, an object gone) rather than the object for all.
 * ARGV: [1] prefix, [2] tuning JSON, [3] id, [4] object index, [5] event JSON.
 * Returns { effect, pending kinds joined by ',' } or { 'missing', '' }.
 */
export const APPLY_TO_REQUEST_LUA = `${PRELUDE_LUA}
local ctx = contextFor(ARGV[1], ARGV[3], cjson.decode(ARGV[2]))
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
 * KEYS: none. ARGV: [1] prefix, [2] tuning JSON, [3] id, [4] kind, [5] allowed statuses (comma-separated).
 * Returns 1 when the notification was newly decided.
 */
export const DECIDE_NOTIFICATION_LUA = `${PRELUDE_LUA}
local ctx = contextFor(ARGV[1], ARGV[3], cjson.decode(ARGV[2]))
local status = redis.call('HGET', ctx.reqKey, 'status')
if not status then return 0 end
if not string.find(',' .. ARGV[5] .. ',', ',' .. status .. ',', 1, true) then return 0 end
if ARGV[4] == 'expiring' then
  local downloaded, ready = unpack(redis.call('HMGET', ctx.reqKey, 'dn', 'c:completed'))
  if (tonumber(ready) or 0) > 0 and (tonumber(downloaded) or 0) >= tonumber(ready) then return 0 end
end
return queueNotification(ctx, ARGV[4]) and 1 or 0
`;

/**
 * Records that one object of a request was downloaded through its `/d/:token` link: the first
 * time per object only, and never for a request that is already gone (no key is re-created).
 * ARGV: [1] prefix, [2] id, [3] object index, [4] now (ms). Returns 1 for a first download.
 */
export const RECORD_DOWNLOAD_LUA = `
local reqKey = ARGV[1] .. 'req:' .. ARGV[2]
if redis.call('EXISTS', reqKey) == 0 then return 0 end
if redis.call('HSETNX', reqKey, 'dn:' .. ARGV[3], ARGV[4]) == 0 then return 0 end
redis.call('HINCRBY', reqKey, 'dn', 1)
return 1
`;

/**
 * Marks outbox notifications as queued (their BullMQ jobs exist) and takes them off the outbox.
 * ARGV: [1] prefix, [2] id, [3...] kinds. Returns how many were pending.
 */
export const MARK_QUEUED_LUA = `
local reqKey = ARGV[1] .. 'req:' .. ARGV[2]
local marked = 0
for i = 3, #ARGV do
  redis.call('ZREM', ARGV[1] .. 'outbox', ARGV[2] .. '|' .. ARGV[i])
  local state = redis.call('HGET', reqKey, 'n:' .. ARGV[i])
  if state and string.find(state, '"pending"', 1, true) then
    redis.call('HSET', reqKey, 'n:' .. ARGV[i], '{"s":"queued"}')
    marked = marked + 1
  end
end
return marked
`;

/**
 * Stops notifications for a request: pending ones are cancelled, the request finishes (kept for
 * the retention period, then gone). ARGV: [1] prefix, [2] tuning JSON, [3] id.
 * Returns 0 for an unknown request, 1 otherwise.
 */
export const CANCEL_REQUEST_LUA = `${PRELUDE_LUA}
local ctx = contextFor(ARGV[1], ARGV[3], cjson.decode(ARGV[2]))
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
