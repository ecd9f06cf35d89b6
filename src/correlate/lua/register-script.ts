import { FINISH_IDEMPOTENCY_LUA } from '../idempotency-records';
import { PRELUDE_LUA } from './prelude';

/** How many KEYS REGISTER_REQUEST_LUA declares before the two of each distinct object. */
export const REGISTER_FIXED_KEYS = 8;

/**
 * Stores a new request, indexes its objects, settles its initial state (objects S3 already
 * reported restored complete at once) and replays the object's recent events into it.
 * KEYS: [1] the Idempotency-Key's record (or a dummy when none), [2] unmatched-events zset,
 *       [3] request hash, [4] its spec, [5] its event history, [6] due, [7] remind, [8] outbox,
 *       then per distinct object digest, in order of first appearance in `objects`: its object
 *       index, its recent events (REGISTER_FIXED_KEYS + 2 keys each).
 * ARGV: [1] RequestKeyTemplates JSON (only `request`: the request an Idempotency-Key record
 *       names is known once the record is read), [2] tuning JSON, [3] request JSON:
 *   { id, spec, remind, objects: [{ d, v, st }], replaySince, since?, firstDue, idem?: { fp, ttl } }
 * Returns { 'created'|'exists', id, pending kinds joined by ',' }.
 */
export const REGISTER_REQUEST_LUA = `${PRELUDE_LUA}
${FINISH_IDEMPOTENCY_LUA}
local templates = cjson.decode(ARGV[1])
local args = cjson.decode(ARGV[2])
local req = cjson.decode(ARGV[3])
local indexKeys, earlyKeys, distinct = {}, {}, 0
for _, object in ipairs(req.objects) do
  if not indexKeys[object.d] then
    indexKeys[object.d] = KEYS[${REGISTER_FIXED_KEYS} + 2 * distinct + 1]
    earlyKeys[object.d] = KEYS[${REGISTER_FIXED_KEYS} + 2 * distinct + 2]
    distinct = distinct + 1
  end
end
if #KEYS ~= ${REGISTER_FIXED_KEYS} + 2 * distinct then
  return redis.error_reply('thawRegister: expected 2 keys per distinct object')
end
if req.idem then
  local existing = finishIdempotency(KEYS[1], templates.request, req.id, req.idem)
  if existing then return { 'exists', existing, '' } end
end
local ctx = contextFor(req.id, args, {
  req = KEYS[3], spec = KEYS[4], ev = KEYS[5], due = KEYS[6], remind = KEYS[7], outbox = KEYS[8],
  index = function(digest) return indexKeys[digest] end,
})
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
  local index = ctx.indexKey(object.d)
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
    for _, raw in ipairs(redis.call('LRANGE', earlyKeys[object.d], 0, -1)) do
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
