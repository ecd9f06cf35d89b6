/**
 * Lua shared by the correlation scripts: the per-object state machine and the request-level
 * settling (derived status, notification outbox, reconciliation schedule, retention).
 * It mirrors src/correlate/state-machine.ts, which is the readable reference model; the property
 * tests run both on the same random event sequences and require the same outcome.
 *
 * Object state (hash field `o:<i>` of `<p>:req:<id>`, JSON):
 *   s status · x restore expiry (ISO) · xm expiry (ms) · xq/xtm sequencer and event time (ms)
 *   of the Completed event that set the expiry · w expected restore duration (ms) · e expected-by
 *   (ms) · c storage class · r failure reason · z size
 * Request fields: status, n (objects), c:<status> (objects per status), f (objects that are
 * final), xm/x (earliest restore expiry), remind (0/1), n:<kind> (notification JSON),
 * dl:<i> (object i's download link token), dn:<i> / dn (first download of object i, ms / how many
 * objects were downloaded), cancelled, created, updated, since (ms; only on requests whose restore
 * thaw started itself: events timed before it tell of an earlier restore of the object and are late;
 * requests stored before the field existed lack it and take every event, as they did).
 * The spec (JSON) is the string `<p>:req:<id>:spec`.
 *
 * No key name is made here: a step's context (`ctx`) holds the names its caller declared as KEYS,
 * and those only known at run time are filled into templates from keys.ts (`keyFrom`).
 *
 * Redis Lua gives JSON null as cjson.null; callers never send nulls, so absent means nil.
 */
export const PRELUDE_LUA = String.raw`
local RANK = { requested = 0, initiated = 1, completed = 2, expired = 3, failed = 4 }

local function present(value)
  return value ~= nil and value ~= cjson.null and value ~= ''
end

-- S3: "right pad the shorter value with zeros, and then do a lexicographical comparison".
local function sequencerAfter(a, b)
  a = string.upper(a)
  b = string.upper(b)
  if #a < #b then a = a .. string.rep('0', #b - #a) elseif #b < #a then b = b .. string.rep('0', #a - #b) end
  return a > b
end

-- Does Completed event ev carry a newer expiry than the one object state st has (set by the
-- Completed at xq/xtm)? S3 sequencers decide when both events carry one, else event times;
-- exact ties go to the later expiry, so the order is total and delivery order cannot matter.
local function newerCompletion(ev, st)
  if not present(st.xtm) then return true end
  if present(ev.q) and present(st.xq) and string.upper(ev.q) ~= string.upper(st.xq) then
    return sequencerAfter(ev.q, st.xq)
  end
  if not (present(ev.q) and present(st.xq)) and ev.tm ~= st.xtm then return ev.tm > st.xtm end
  return (ev.xm or 0) > (st.xm or 0)
end

local function isFinal(st)
  return st.s == 'expired' or st.s == 'failed' or (st.s == 'completed' and not present(st.xm))
end

-- The request status its per-status object counts give (fields n, c:initiated, c:completed,
-- c:expired, c:failed, as read by settle's one HMGET).
local function deriveStatus(nRaw, initiatedRaw, completedRaw, expiredRaw, failedRaw)
  local n = tonumber(nRaw) or 0
  local initiated, completed = tonumber(initiatedRaw) or 0, tonumber(completedRaw) or 0
  local expired, failed = tonumber(expiredRaw) or 0, tonumber(failedRaw) or 0
  if failed >= n then return 'failed' end
  if expired > 0 then return 'expired' end
  if completed >= n - failed then return 'completed' end
  if initiated + completed > 0 then return 'initiated' end
  return 'requested'
end

-- A key name from a keys.ts template ({ before, after }, see KeyTemplate) and its run-time part.
local function keyFrom(template, part)
  return template[1] .. part .. template[2]
end

-- ctx: id, reqKey, histKey, specKey, dueKey, remindKey, outboxKey, indexKey(digest) (the object
-- index of a spec object), now, retention, cap, margin, expiryCheck, lead.

local function finish(ctx)
  if redis.call('HEXISTS', ctx.reqKey, 'finished') == 1 then return end
  redis.call('HSET', ctx.reqKey, 'finished', ctx.now)
  redis.call('PEXPIRE', ctx.reqKey, ctx.retention)
  redis.call('PEXPIRE', ctx.histKey, ctx.retention)
  redis.call('PEXPIRE', ctx.specKey, ctx.retention)
  redis.call('ZREM', ctx.dueKey, ctx.id)
  redis.call('ZREM', ctx.remindKey, ctx.id)
  local spec = cjson.decode(redis.call('GET', ctx.specKey))
  local until_ = ctx.now + ctx.retention
  for i, object in ipairs(spec.objects) do
    local index = ctx.indexKey(object.d)
    -- The spec holds ObjectRefs (versionId, JSON null when none), not the registration's v.
    local version = present(object.versionId) and object.versionId or '*'
    redis.call('ZADD', index, 'XX', until_, ctx.id .. '|' .. (i - 1) .. '|' .. version)
    if redis.call('ZCOUNT', index, 0, 0) == 0 then redis.call('PEXPIRE', index, ctx.retention + 60000) end
  end
end

local function queueNotification(ctx, kind)
  if redis.call('HEXISTS', ctx.reqKey, 'cancelled') == 1 then return false end
  if redis.call('HSETNX', ctx.reqKey, 'n:' .. kind, '{"s":"pending"}') == 0 then return false end
  redis.call('ZADD', ctx.outboxKey, ctx.now, ctx.id .. '|' .. kind)
  return true
end

-- After objects changed: derive the request status, decide its email, schedule, or finish.
-- Every field it needs is read in one HMGET: deciding the email changes none of them.
local function settle(ctx)
  local v = redis.call('HMGET', ctx.reqKey, 'status', 'n', 'c:initiated', 'c:completed', 'c:expired',
    'c:failed', 'f', 'remind', 'xm')
  local old = v[1]
  local new = deriveStatus(v[2], v[3], v[4], v[5], v[6])
  if RANK[new] > RANK[old] then
    redis.call('HSET', ctx.reqKey, 'status', new)
    queueNotification(ctx, new)
    old = new
  end
  local n, final = v[2], v[7]
  if old == 'expired' or old == 'failed' or (tonumber(final) or 0) >= (tonumber(n) or 0) then
    finish(ctx)
  elseif old == 'completed' and v[8] == '1' then
    local xm = tonumber(v[9])
    if xm then redis.call('ZADD', ctx.remindKey, 'NX', xm - ctx.lead, ctx.id) end
  end
  return old
end

-- Applies one event to object i of a request. Returns the effect:
-- applied | updated | late | duplicate | missing
local function applyToObject(ctx, i, ev)
  if redis.call('HSETNX', ctx.reqKey, 'e:' .. ev.id .. ':' .. i, 1) == 0 then return 'duplicate' end
  local raw, sinceRaw = unpack(redis.call('HMGET', ctx.reqKey, 'o:' .. i, 'since'))
  if not raw then return 'missing' end
  local st = cjson.decode(raw)
  local old, wasFinal = st.s, isFinal(st)
  local effect = 'late'
  -- An event from before thaw started this request's restore (an old message replayed once its
  -- dedupe record expired, or a restore before ours) says nothing about this restore.
  local since = tonumber(sinceRaw)
  local earlier = since ~= nil and present(ev.tm) and ev.tm < since
  if earlier then
    -- Late whatever its kind: recorded in the history, changes nothing.
  elseif old ~= 'failed' and old ~= 'expired' and RANK[ev.k] > RANK[old] then
    effect = 'applied'
    st.s = ev.k
    if ev.k == 'initiated' and present(st.w) then st.e = ev.tm + st.w end
    if ev.k == 'completed' then st.x = ev.x; st.xm = ev.xm; st.xq = ev.q; st.xtm = ev.tm end
    if ev.k == 'failed' then st.r = ev.r end
  elseif ev.k == 'completed' and old == 'completed' and present(ev.xm) and newerCompletion(ev, st) then
    -- A later Completed (the restore was extended by a new RestoreObject) moves the expiry.
    effect = 'updated'
    st.x = ev.x; st.xm = ev.xm; st.xq = ev.q; st.xtm = ev.tm
  end
  if not earlier and present(ev.c) then st.c = ev.c end
  if not earlier and present(ev.z) then st.z = ev.z end
  redis.call('HSET', ctx.reqKey, 'o:' .. i, cjson.encode(st), 'updated', ctx.now)
  if effect == 'applied' then
    redis.call('HINCRBY', ctx.reqKey, 'c:' .. old, -1)
    redis.call('HINCRBY', ctx.reqKey, 'c:' .. st.s, 1)
  end
  local nowFinal = isFinal(st)
  if nowFinal ~= wasFinal then redis.call('HINCRBY', ctx.reqKey, 'f', nowFinal and 1 or -1) end
  if effect ~= 'late' then
    if st.s == 'initiated' and present(st.e) then
      redis.call('ZADD', ctx.dueKey, 'LT', st.e + ctx.margin, ctx.id)
    elseif st.s == 'completed' and present(st.xm) then
      redis.call('ZADD', ctx.dueKey, 'LT', st.xm + ctx.expiryCheck, ctx.id)
      local current = tonumber(redis.call('HGET', ctx.reqKey, 'xm'))
      if not current or st.xm < current or effect == 'updated' then
        redis.call('HSET', ctx.reqKey, 'xm', st.xm, 'x', st.x)
        if effect == 'updated' then redis.call('ZADD', ctx.remindKey, 'XX', st.xm - ctx.lead, ctx.id) end
      end
    end
  end
  local entry = { k = ev.k, o = i, t = ev.t, src = ev.src, ra = ev.ra, f = effect }
  redis.call('RPUSH', ctx.histKey, cjson.encode(entry))
  redis.call('LTRIM', ctx.histKey, -ctx.cap, -1)
  return effect
end

local NOTIFICATION_FIELDS = { 'n:initiated', 'n:completed', 'n:expiring', 'n:expired', 'n:delayed', 'n:failed' }

local function pendingKinds(ctx)
  local kinds = {}
  local states = redis.call('HMGET', ctx.reqKey, unpack(NOTIFICATION_FIELDS))
  for i, field in ipairs(NOTIFICATION_FIELDS) do
    local state = states[i]
    if state and string.find(state, '"pending"', 1, true) then table.insert(kinds, string.sub(field, 3)) end
  end
  return kinds
end

local function versionMatches(wanted, actual)
  return wanted == '*' or wanted == actual
end

-- keys: { req, spec, ev, due, remind, outbox, index = function(digest) }.
local function contextFor(id, args, keys)
  return {
    id = id, reqKey = keys.req, histKey = keys.ev, specKey = keys.spec,
    dueKey = keys.due, remindKey = keys.remind, outboxKey = keys.outbox, indexKey = keys.index,
    now = args.now, retention = args.retention, cap = args.cap, margin = args.margin,
    expiryCheck = args.expiryCheck, lead = args.lead,
  }
end

-- The keys of request id when the step only learns the id at run time (found in an object index):
-- filled into the templates (ARGV) keys.ts made, with the shared keys the caller declared.
local function templatedKeys(templates, id, shared)
  return {
    req = keyFrom(templates.request, id), spec = keyFrom(templates.spec, id),
    ev = keyFrom(templates.events, id),
    due = shared.due, remind = shared.remind, outbox = shared.outbox, index = shared.index,
  }
end

-- The object indexes a finishing request schedules for expiry, named after its spec's digests:
-- known only once the spec is read, so filled into keys.ts' template.
local function templatedIndex(templates)
  return function(digest) return keyFrom(templates.objectIndex, digest) end
end
`;
