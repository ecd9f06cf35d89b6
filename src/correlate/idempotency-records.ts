import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/redis-connection';
import { keyTemplate } from '../keys';
import type { RedisKeys } from '../keys';
import { defineScript } from '../redis/redis-script';
import type { RedisScript } from '../redis/redis-script';

/**
 * The `Idempotency-Key` of POST /v1/restores, looked up before S3 is asked anything.
 *
 * A key is stored as its SHA-256 (a client's key may be long, or say more than it should in a
 * key name), bound to the fingerprint of the body it first came with. Its record is
 * `<p>:idem:<sha256 hex>` holding JSON, version 2:
 * - `{v: 2, s: 'pending', fp, t}`: claimed by a request still talking to S3 (`t` its token); it
 *   lives `claimMs` only, so a process that died mid-way frees the key by itself;
 * - `{v: 2, s: 'done', fp, id}`: written by the step that stores request `id`, for
 *   IDEMPOTENCY_TTL_SECONDS.
 * The version before kept `<p>:idem:<key as sent>` → request id, with no fingerprint. Those
 * records are still read (no fingerprint known: any body is taken as the same), and disappear by
 * themselves within IDEMPOTENCY_TTL_SECONDS of the upgrade.
 */

/** What a request with an Idempotency-Key found. */
export type IdempotencyClaim =
  /** First use: go on (S3, then store), or release the claim on failure. */
  | { readonly outcome: 'claimed'; readonly token: string }
  /** The same key with the same body (or a record with no fingerprint) made request `id`. */
  | { readonly outcome: 'exists'; readonly id: string }
  /** The same key came with another body. */
  | { readonly outcome: 'reused' }
  /** The same key and body are being handled right now by another call. */
  | { readonly outcome: 'in-use' };

/** An Idempotency-Key as a request brings it, with its body's fingerprint. */
export interface IdempotencyUse {
  readonly key: string;
  /** Hex SHA-256 of the validated body, written canonically (restore-schemas `bodyFingerprint`). */
  readonly fingerprint: string;
}

/** How long a claim holds a key while its request talks to S3 (HeadObject, RestoreObject), ms. */
export const DEFAULT_IDEMPOTENCY_CLAIM_MS = 120_000;

/**
 * The Lua that reads a record at KEYS[n]: JSON of version 2, or a bare request id (before v2).
 * `live` checks the request a record names; its key is only known once the record is read, so it
 * is filled into keys.ts' template of request keys (`requestTemplate`, { before, after }).
 */
const READ_RECORD_LUA = `
local function readRecord(raw)
  if not raw then return nil end
  if string.sub(raw, 1, 1) ~= '{' then return { s = 'done', id = raw, legacy = true } end
  local ok, record = pcall(cjson.decode, raw)
  if ok and type(record) == 'table' and record.v == 2 then return record end
  return nil
end
local function live(requestTemplate, id)
  return type(id) == 'string' and string.match(id, '^r_[%w_%-]+$') ~= nil
    and redis.call('EXISTS', requestTemplate[1] .. id .. requestTemplate[2]) == 1
end
`;

/**
 * KEYS: [1] the key's record (by hash), [2] where the version before v2 kept it (by the key).
 * ARGV: [1] keys.ts' template of request keys, JSON (see `live`), [2] body fingerprint, [3] claim
 * token, [4] claim ms.
 * Returns { 'claimed' } | { 'exists', id } | { 'reused' } | { 'in-use' }.
 * One step, so two concurrent first uses cannot both claim: the pending marker is set only where no
 * live record is (SET NX semantics, with the fingerprint check in the same step).
 */
const CLAIM_LUA = `${READ_RECORD_LUA}
local requestTemplate = cjson.decode(ARGV[1])
local record = readRecord(redis.call('GET', KEYS[1]))
if record and not record.legacy then
  if record.fp ~= ARGV[2] then return { 'reused' } end
  if record.s == 'pending' then return { 'in-use' } end
  -- A request gone before its key (REQUEST_RETENTION_SECONDS shorter than the key's memory) frees it.
  if live(requestTemplate, record.id) then return { 'exists', record.id } end
end
-- Before v2: no fingerprint was kept, so any body counts as the same. Only a bare id counts here:
-- JSON at this name is another key's v2 record (a client whose key is some key's hash).
local legacy = readRecord(redis.call('GET', KEYS[2]))
if legacy and legacy.legacy and live(requestTemplate, legacy.id) then return { 'exists', legacy.id } end
redis.call('SET', KEYS[1], cjson.encode({ v = 2, s = 'pending', fp = ARGV[2], t = ARGV[3] }), 'PX', ARGV[4])
return { 'claimed' }
`;

/** KEYS: [1] the key's record. ARGV: [1] claim token. Deletes the record if it is still that claim. */
const RELEASE_LUA = `${READ_RECORD_LUA}
local record = readRecord(redis.call('GET', KEYS[1]))
if record and record.s == 'pending' and record.t == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The Lua the registration step runs (inside REGISTER_REQUEST_LUA) to write the `done` record.
 * `requestTemplate` as for `live`; `idem` = { fp, ttl }. Returns the id of a request made meanwhile with the same key and body
 * (our claim ran out while S3 was slow and another call finished first), or nil after writing ours.
 */
export const FINISH_IDEMPOTENCY_LUA = `${READ_RECORD_LUA}
local function finishIdempotency(key, requestTemplate, id, idem)
  local record = readRecord(redis.call('GET', key))
  if record and not record.legacy and record.s == 'done' and live(requestTemplate, record.id) then
    if record.fp == idem.fp then return record.id end
    -- Another body made a request under this key after our claim ran out: it keeps the key.
    return nil
  end
  redis.call('SET', key, cjson.encode({ v = 2, s = 'done', fp = idem.fp, id = id }), 'PX', idem.ttl)
  return nil
end
`;

export function idempotencyKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The fingerprint of a request body as validated (defaults filled in): SHA-256 (hex) of its
 * canonical JSON, object keys sorted and absent values left out, so the same request spelled
 * differently (key order, a default written out) is the same body. Array order counts.
 */
export function bodyFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface IdempotencyRecords {
  claim(use: IdempotencyUse): Promise<IdempotencyClaim>;
  /** Frees a key whose first use failed before storing a request, so a retry is served at once. */
  release(use: IdempotencyUse, token: string): Promise<void>;
}

export function createIdempotencyRecords(
  redis: RedisClient,
  keys: RedisKeys,
  claimMs = DEFAULT_IDEMPOTENCY_CLAIM_MS,
): IdempotencyRecords {
  const claim: RedisScript = defineScript(redis, 'thawClaimIdempotency', CLAIM_LUA, 2);
  const release: RedisScript = defineScript(redis, 'thawReleaseIdempotency', RELEASE_LUA, 1);
  const requestTemplate = JSON.stringify(keyTemplate(keys.request));
  return {
    async claim(use) {
      const token = randomBytes(12).toString('base64url');
      const [outcome, id] = (await claim(
        [keys.idempotency(idempotencyKeyHash(use.key)), keys.legacyIdempotency(use.key)],
        [requestTemplate, use.fingerprint, token, claimMs],
      )) as [string, string | undefined];
      switch (outcome) {
        case 'claimed':
          return { outcome, token };
        case 'exists':
          return { outcome, id: id ?? '' };
        case 'reused':
        case 'in-use':
          return { outcome };
        default:
          throw new Error(`unexpected idempotency claim answer ${outcome}`);
      }
    },
    async release(use, token) {
      await release([keys.idempotency(idempotencyKeyHash(use.key))], [token]);
    },
  };
}
