import type { RedisClient } from '../redis/redis-connection';
import type { NotificationKind, RestoreRequest, RestoreRequestSpec } from '../domain/restore-request';
import { toRequest } from '../correlate/request-view';
import { defineScript } from '../redis/redis-script';
import type { RedisKeys } from '../keys';
import { normalise } from './suppression';

/**
 * The life of one notification (request, kind), kept in the request's hash field `n:<kind>`:
 * pending → queued → sending → sent | failed | suppressed | cancelled.
 *
 * Only the store decides a notification: the correlation steps write `pending` (HSETNX, in the
 * same Lua step that moves the request, see queueNotification in correlate/lua/prelude.ts) before
 * any job exists, and every version of thaw has done so; the producer then marks it `queued`. A
 * job whose field is absent was never decided (a job added by hand on the board, or a kind the
 * request never reached) and is `undecided`: dropped, never sent, and nothing is written for it.
 *
 * Claiming is a compare-and-set in one Lua step (the claim that SET NX would give, kept with the
 * request so both expire together): only one attempt at a time may hold `sending`, and a
 * notification that is sent, failed, suppressed or cancelled is never claimed again — so a retried
 * or stalled job that finds it sent does not send again.
 *
 * The one window left: SES accepted the email and the process died before `recordSent`. The claim
 * then stays `sending`. A later attempt waits `inDoubtMs` for SES's own Send event (configuration
 * set event publishing → the feedback topic), which records the send; only without it does it
 * send again. Without event publishing, that window means at-least-once: one possible duplicate
 * per crash in the few milliseconds between SES's answer and the next Redis write.
 */
export type ClaimOutcome =
  /** This attempt may send. */
  | 'claimed'
  /** A previous attempt claimed it and its outcome is unknown (in doubt past `inDoubtMs`): send. */
  | 'retaken'
  /** Another attempt holds a fresh claim, or the outcome is in doubt: look again later. */
  | 'busy'
  | 'sent'
  | 'failed'
  | 'suppressed'
  | 'cancelled'
  /** The request is gone (retention ended). */
  | 'missing'
  /** The store never decided this notification (no `n:<kind>`, or a state no step writes). */
  | 'undecided';

/**
 * KEYS: request hash, suppressed-addresses hash, request spec. ARGV: kind, token, now, in-doubt ms.
 * Returns { outcome } or, for 'claimed' and 'retaken', { outcome, check, spec, hash fields... }: the
 * request as it stands after the claim, so the email needs no read of its own (one round trip per
 * email fewer). The recipient's address comes from the spec and is normalised as `normalise` in
 * suppression.ts does: ASCII trimmed and lower-cased here; an address with other characters is
 * left to the caller (`check` = 1), whose toLowerCase knows Unicode.
 */
const CLAIM_LUA = `
local reqKey, field, token, now, inDoubt = KEYS[1], 'n:' .. ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', reqKey) == 0 then return { 'missing' } end
local spec = redis.call('GET', KEYS[3])
if not spec then return { 'missing' } end
local raw, cancelled = unpack(redis.call('HMGET', reqKey, field, 'cancelled'))
if not raw then return { 'undecided' } end
local state = cjson.decode(raw)
local known = { pending = 1, queued = 1, sending = 1, sent = 1, failed = 1, suppressed = 1, cancelled = 1 }
if not known[state.s] then return { 'undecided' } end
if state.s == 'sent' or state.s == 'failed' or state.s == 'suppressed' or state.s == 'cancelled' then return { state.s } end
if cancelled then
  redis.call('HSET', reqKey, field, '{"s":"cancelled"}')
  return { 'cancelled' }
end
local recipient = cjson.decode(spec).recipient
local address = type(recipient) == 'table' and recipient.email or ''
if type(address) ~= 'string' then address = '' end
local check = 0
if string.find(address, '[\\128-\\255]') then
  check = 1
else
  local suppressed = redis.call('HGET', KEYS[2], string.lower(string.match(address, '^%s*(.-)%s*$')))
  if suppressed then
    local reason = 'recipient suppressed: ' .. (cjson.decode(suppressed).reason or 'feedback')
    redis.call('HSET', reqKey, field, cjson.encode({ s = 'suppressed', r = reason }))
    return { 'suppressed' }
  end
end
local outcome = 'claimed'
if state.s == 'sending' and state.tok ~= token then
  if now - tonumber(state.at) < inDoubt then return { 'busy' } end
  outcome = 'retaken'
end
redis.call('HSET', reqKey, field, cjson.encode({ s = 'sending', tok = token, at = now }))
local out = { outcome, check, spec }
for _, value in ipairs(redis.call('HGETALL', reqKey)) do out[#out + 1] = value end
return out
`;

// Evidence of a send wins over any other state but a send already recorded.
const RECORD_SENT_LUA = `
local field = 'n:' .. ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local raw = redis.call('HGET', KEYS[1], field)
if raw and cjson.decode(raw).s == 'sent' then return 0 end
redis.call('HSET', KEYS[1], field, cjson.encode({ s = 'sent', id = ARGV[2], at = ARGV[3] }))
return 1
`;

// Only the attempt holding the claim may give it back or settle it.
const SETTLE_LUA = `
local field = 'n:' .. ARGV[1]
local raw = redis.call('HGET', KEYS[1], field)
if not raw then return 0 end
local state = cjson.decode(raw)
if state.s ~= 'sending' or state.tok ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], field, ARGV[3])
return 1
`;

// An operator's retry reopens a failed notification only: never one that was sent (that would
// send it twice) nor one the store never decided.
const REOPEN_LUA = `
local field = 'n:' .. ARGV[1]
local raw = redis.call('HGET', KEYS[1], field)
if not raw or cjson.decode(raw).s ~= 'failed' then return 0 end
redis.call('HSET', KEYS[1], field, '{"s":"queued"}')
return 1
`;

/** What a claim found; `request` is the request as the claim left it, for 'claimed' and 'retaken'. */
export interface Claim {
  readonly outcome: ClaimOutcome;
  readonly request: RestoreRequest | null;
}

export interface NotificationState {
  /**
   * Claims the notification for this attempt, in one step with every reason not to send: request
   * gone, never decided by the store, already settled, request cancelled, recipient suppressed
   * (then marked `suppressed`). A claim that may send carries the request, read in the same step.
   */
  claim(requestId: string, kind: NotificationKind, token: string, inDoubtMs: number): Promise<Claim>;
  recordSent(requestId: string, kind: NotificationKind, messageId: string, sentAt: Date): Promise<boolean>;
  /** Gives the claim back after a failure worth retrying. */
  release(requestId: string, kind: NotificationKind, token: string): Promise<void>;
  fail(requestId: string, kind: NotificationKind, token: string, reason: string): Promise<void>;
  /** Puts a failed notification back to queued (an operator's retry); any other state stays. */
  reset(requestId: string, kind: NotificationKind): Promise<void>;
}

export function createNotificationState(redis: RedisClient, keys: RedisKeys): NotificationState {
  const claim = defineScript(redis, 'thawClaim', CLAIM_LUA, 3);
  const recordSent = defineScript(redis, 'thawRecordSent', RECORD_SENT_LUA, 1);
  const settle = defineScript(redis, 'thawSettle', SETTLE_LUA, 1);
  const reopen = defineScript(redis, 'thawReopen', REOPEN_LUA, 1);
  const settleAs = async (id: string, kind: NotificationKind, token: string, state: object) => {
    await settle([keys.request(id)], [kind, token, JSON.stringify(state)]);
  };
  return {
    async claim(id, kind, token, inDoubtMs) {
      const reply = (await claim(
        [keys.request(id), keys.suppressed, keys.requestSpec(id)],
        [kind, token, Date.now(), inDoubtMs],
      )) as [ClaimOutcome, number?, string?, ...string[]];
      const [outcome, check, spec] = reply;
      if (spec === undefined) return { outcome, request: null };
      const hash: Record<string, string> = {};
      for (let index = 3; index + 1 < reply.length; index += 2) {
        hash[reply[index] as string] = reply[index + 1] as string;
      }
      const request = toRequest(id, JSON.parse(spec) as RestoreRequestSpec, hash, []);
      if (check === 1) {
        // An address beyond ASCII: the script could not normalise it as suppression.ts does.
        const suppressed = await redis.hget(keys.suppressed, normalise(request.recipient.email));
        if (suppressed !== null) {
          const reason = (JSON.parse(suppressed) as { reason?: string }).reason ?? 'feedback';
          await settle(
            [keys.request(id)],
            [kind, token, JSON.stringify({ s: 'suppressed', r: `recipient suppressed: ${reason}` })],
          );
          return { outcome: 'suppressed', request: null };
        }
      }
      return { outcome, request };
    },
    async recordSent(id, kind, messageId, sentAt) {
      return (await recordSent([keys.request(id)], [kind, messageId, sentAt.toISOString()])) === 1;
    },
    release: (id, kind, token) => settleAs(id, kind, token, { s: 'queued' }),
    fail: (id, kind, token, reason) => settleAs(id, kind, token, { s: 'failed', r: reason.slice(0, 500) }),
    async reset(id, kind) {
      await reopen([keys.request(id)], [kind]);
    },
  };
}
