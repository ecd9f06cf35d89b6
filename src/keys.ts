import { objectDigest } from './domain/object-ref';

/**
 * Every Redis key thaw writes itself, and the prefix of each BullMQ queue. One module keeps the
 * layout visible.
 *
 * Hash tags: Redis Cluster routes a key by the part between its first `{` and `}`. thaw puts its
 * own keys under one tag, `{<p>}`, because several of its Lua steps touch keys they find at run
 * time (a request named in an object index) and Cluster only lets one step touch one slot. Each
 * BullMQ queue gets a tag of its own, `{<p>:<queue>}`, so a cluster spreads the store and the
 * three queues over its primaries. `<p>` is THAW_PREFIX without any braces an operator put there
 * (the layout before v3 asked them to), so both spellings give the same names. A single Redis
 * ignores the braces: the layout is the same in every topology, and a backup of one restores into
 * another.
 *
 * | key                        | type   | holds                                                         |
 * | `{p}:req:<id>`             | hash   | a restore request: spec, status, per-object state, notifications |
 * | `{p}:req:<id>:spec`        | string | what was asked for (objects, tier, recipient), JSON              |
 * | `{p}:req:<id>:ev`          | list   | the request's event history (capped)                           |
 * | `{p}:obj:<digest>`         | zset   | requests waiting on one object (bucket+key); score 0 = active, else when the record expires |
 * | `{p}:early:<digest>`       | list   | the object's last 100 events, for requests registered after them; expires one early-event window after the last |
 * | `{p}:early`                | zset   | `<digest>|<event id>` of unmatched events, scored by when their window ends; each event's step drops the ended ones |
 * | `{p}:due`                  | zset   | requests to reconcile, scored by when to look at them next      |
 * | `{p}:remind`               | zset   | requests to send the `expiring` reminder to, scored by when     |
 * | `{p}:outbox`               | zset   | `<id>|<kind>` notifications decided but not yet queued, by time |
 * | `{p}:idem:<sha256 hex>`    | string | an Idempotency-Key of POST /v1/restores, by its SHA-256 → JSON v2 (idempotency-records.ts) |
 * | `{p}:idem:<key>`           | string | before v2: the key itself → request id; read only, gone within IDEMPOTENCY_TTL_SECONDS |
 * | `{p}:suppressed`           | hash   | address → why no email may go to it (bounce, complaint)        |
 * | `{p}:dl:<token>`           | string | a download link token → request id and object index           |
 * | `{p}:page:<token>`         | string | a status page token → request id                               |
 * | `{p}:layout`               | string | the key layout this Redis holds (`3`); written by the start-up migration |
 * | `{p:<queue>}:<queue>:...`  | (BullMQ) | one queue: `restore-events`, `notifications`, `maintenance`     |
 *
 * Lua steps get every name from here too: as KEYS when the caller knows it, else (a request found
 * in an object index, a token read from a hash) as a `KeyTemplate` in ARGV, made by the very
 * functions below; the template stays in the `{p}` slot of the step's declared keys.
 */
export interface RedisKeys {
  readonly prefix: string;
  request(id: string): string;
  requestSpec(id: string): string;
  requestEvents(id: string): string;
  objectIndex(bucket: string, key: string): string;
  objectIndexByDigest(digest: string): string;
  earlyEvents(digest: string): string;
  readonly earlyIndex: string;
  readonly due: string;
  readonly remind: string;
  readonly outbox: string;
  /** The record of an Idempotency-Key, by the key's SHA-256 (hex). */
  idempotency(hash: string): string;
  /** Where the version before v2 kept an Idempotency-Key: the key itself in the name. */
  legacyIdempotency(key: string): string;
  readonly suppressed: string;
  downloadToken(token: string): string;
  pageToken(token: string): string;
  /** Which key layout this Redis holds; absent before the start-up migration wrote it. */
  readonly layout: string;
}

/** The version of the layout above, as `{p}:layout` records it. */
export const KEY_LAYOUT_VERSION = '3';

/** THAW_PREFIX without braces: thaw places the hash tags itself. */
export function barePrefix(prefix: string): string {
  return prefix.replace(/[{}]/g, '');
}

/** The prefix of thaw's own keys: one hash tag, so every store step stays in one Cluster slot. */
export function storePrefix(prefix: string): string {
  return `{${barePrefix(prefix)}}`;
}

/** BullMQ's `prefix` for one queue: a hash tag per queue (BullMQ's keys are `<prefix>:<queue>:...`). */
export function queuePrefix(prefix: string, queueName: string): string {
  return `{${barePrefix(prefix)}:${queueName}}`;
}

export function createRedisKeys(deploymentPrefix: string): RedisKeys {
  const prefix = storePrefix(deploymentPrefix);
  return {
    prefix,
    request: (id) => `${prefix}:req:${id}`,
    requestSpec: (id) => `${prefix}:req:${id}:spec`,
    requestEvents: (id) => `${prefix}:req:${id}:ev`,
    objectIndex: (bucket, key) => `${prefix}:obj:${objectDigest(bucket, key)}`,
    objectIndexByDigest: (digest) => `${prefix}:obj:${digest}`,
    earlyEvents: (digest) => `${prefix}:early:${digest}`,
    earlyIndex: `${prefix}:early`,
    due: `${prefix}:due`,
    remind: `${prefix}:remind`,
    outbox: `${prefix}:outbox`,
    idempotency: (hash) => `${prefix}:idem:${hash}`,
    legacyIdempotency: (key) => `${prefix}:idem:${key}`,
    suppressed: `${prefix}:suppressed`,
    downloadToken: (token) => `${prefix}:dl:${token}`,
    pageToken: (token) => `${prefix}:page:${token}`,
    layout: `${prefix}:layout`,
  };
}

/**
 * A key name with one part only known inside a Lua step: `before .. part .. after` (JSON
 * `[before, after]`, filled in by `keyFrom` in correlate/lua/prelude.ts).
 */
export type KeyTemplate = readonly [before: string, after: string];

/** Never in a prefix (config allows `[\w{}.:-]`), so it marks the one hole. */
const HOLE = '\u0000';

/** The template of the names `make` builds, by calling it with a placeholder part. */
export function keyTemplate(make: (part: string) => string): KeyTemplate {
  const pieces = make(HOLE).split(HOLE);
  const [before, after] = pieces;
  if (pieces.length !== 2 || before === undefined || after === undefined)
    throw new Error('a key template needs a name with exactly one run-time part');
  return [before, after];
}

/**
 * The names the correlation steps learn at run time: the keys of requests they find in an object
 * index (or an Idempotency-Key record), and the object indexes in a request's spec, which a
 * finishing request schedules for expiry.
 */
export interface RequestKeyTemplates {
  readonly request: KeyTemplate;
  readonly spec: KeyTemplate;
  readonly events: KeyTemplate;
  readonly objectIndex: KeyTemplate;
}

export function requestKeyTemplates(keys: RedisKeys): RequestKeyTemplates {
  return {
    request: keyTemplate(keys.request),
    spec: keyTemplate(keys.requestSpec),
    events: keyTemplate(keys.requestEvents),
    objectIndex: keyTemplate(keys.objectIndexByDigest),
  };
}
