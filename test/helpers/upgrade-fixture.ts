import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Every key under one prefix, written out so that it can be loaded under another prefix at another
 * time: the upgrade fixtures (test/fixtures/upgrade/) are made and read with this.
 *
 * Two things in a dump depend on where and when it was made, and are written as placeholders:
 * - the prefix, wherever it occurs (key names, members, values): `{{prefix}}`. In key layout 3
 *   (src/keys.ts) it stands inside hash tags, `{{{prefix}}}:req:<id>` and
 *   `{{{prefix}}:notifications}:notifications:<id>`; fixtures of the layout before (v1, v2) hold
 *   flat `{{prefix}}:req:<id>` names, which thaw moves at start (src/upgrade/). Either way the
 *   prefix is given bare, as THAW_PREFIX without braces;
 * - moments in time, as offsets from the moment of the dump (`madeAt`): `{{t:+3600000}}` for epoch
 *   milliseconds (zset scores, Lua-written JSON, BullMQ job fields, job ids of schedulers) and
 *   `{{iso:-5000}}` for ISO 8601 times with milliseconds (event times, expiry times, sent times).
 *   BullMQ's delayed zset scores (`timestamp * 0x1000 + counter`) become `{{t:+2000}}*4096+3`.
 * Loading puts the dump's moment at "now", so the state is as fresh as when it was dumped: restores
 * are as far from their expected and expiry times, reminders as due, early events as inside their
 * window, delayed jobs as far from running. TTLs are stored as remaining milliseconds already.
 */

export const PREFIX_PLACEHOLDER = '{{prefix}}';

/**
 * Redis' glob specials taken literally. Not imported from src/: this file is copied into older
 * checkouts to make a fixture there (fixtures README), which may not have the module.
 */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A zset score: a plain number, or a time placeholder (see above). */
const score = z.union([z.number(), z.string()]);
const ttlMs = z.number().int().describe('remaining time to live, ms; -1 for none');

/** One key as dumped; the type follows from the schema. */
export const snapshotKeySchema = z.discriminatedUnion('type', [
  z.object({ key: z.string(), ttlMs, type: z.literal('string'), value: z.string() }),
  z.object({ key: z.string(), ttlMs, type: z.literal('hash'), value: z.record(z.string(), z.string()) }),
  z.object({ key: z.string(), ttlMs, type: z.literal('list'), value: z.array(z.string()) }),
  z.object({ key: z.string(), ttlMs, type: z.literal('set'), value: z.array(z.string()) }),
  z.object({ key: z.string(), ttlMs, type: z.literal('zset'), value: z.array(z.tuple([z.string(), score])) }),
  z.object({
    key: z.string(),
    ttlMs,
    type: z.literal('stream'),
    // Entry ids are `<ms>-<seq>`, the ms part a time placeholder; fields alternate name, value.
    value: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
  }),
]);

export type SnapshotKey = z.infer<typeof snapshotKeySchema>;
type SnapshotScore = z.infer<typeof score>;

/** Moments further than this from `madeAt` are not taken for times (sizes, counters, durations). */
const WINDOW_BEFORE_MS = 30 * 86400_000;
const WINDOW_AFTER_MS = 500 * 86400_000;
const DELAYED_FACTOR = 0x1000;

// Thirteen digits standing alone: not inside a token, a decimal or another number.
const EPOCH_MS = /(?<![\w.-])1\d{12}(?![\w.])/g;
const ISO_MS = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;
// What is left after encoding that still looks like a time is reported, never silently kept.
const TIME_LIKE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|(?<!\d)1\d{12}(?!\d)/g;

function isNear(value: number, madeAt: number): boolean {
  return Number.isInteger(value) && value >= madeAt - WINDOW_BEFORE_MS && value <= madeAt + WINDOW_AFTER_MS;
}

function offset(value: number, madeAt: number): string {
  const delta = value - madeAt;
  return delta < 0 ? String(delta) : `+${delta}`;
}

/** Replaces the prefix and every moment near `madeAt` in one string by placeholders. */
export function encodeText(text: string, prefix: string, madeAt: number): string {
  const encoded = text
    .split(prefix)
    .join(PREFIX_PLACEHOLDER)
    .replace(ISO_MS, (iso) => {
      const at = Date.parse(iso);
      return isNear(at, madeAt) ? `{{iso:${offset(at, madeAt)}}}` : iso;
    })
    .replace(EPOCH_MS, (digits) => {
      const at = Number(digits);
      return isNear(at, madeAt) ? `{{t:${offset(at, madeAt)}}}` : digits;
    });
  const leftover = [...encoded.matchAll(TIME_LIKE)].map((match) => match[0]);
  const near = leftover.filter((found) =>
    isNear(/^\d+$/.test(found) ? Number(found) : Date.parse(found), madeAt),
  );
  if (near.length > 0)
    throw new Error(`a time in an unknown format was left in ${JSON.stringify(text)}: ${near}`);
  return encoded;
}

/** Undoes encodeText for a prefix and a moment (`madeAt` of the dump becomes `at`). */
export function decodeText(text: string, prefix: string, at: number): string {
  return text
    .split(PREFIX_PLACEHOLDER)
    .join(prefix)
    .replace(/\{\{t:([+-]\d+)\}\}/g, (_, delta: string) => String(at + Number(delta)))
    .replace(/\{\{iso:([+-]\d+)\}\}/g, (_, delta: string) => new Date(at + Number(delta)).toISOString());
}

function encodeScore(key: string, raw: string, prefix: string, madeAt: number): SnapshotScore {
  const score = Number(raw);
  if (isNear(score, madeAt)) return encodeText(String(score), prefix, madeAt);
  const stamp = Math.floor(score / DELAYED_FACTOR);
  if (key.endsWith(':delayed') && isNear(stamp, madeAt)) {
    return `${encodeText(String(stamp), prefix, madeAt)}*${DELAYED_FACTOR}+${score - stamp * DELAYED_FACTOR}`;
  }
  return score;
}

function decodeScore(score: SnapshotScore, prefix: string, at: number): number {
  if (typeof score === 'number') return score;
  const [stamp, rest] = decodeText(score, prefix, at).split('*');
  if (rest === undefined) return Number(stamp);
  const [factor, counter] = rest.split('+');
  return Number(stamp) * Number(factor) + Number(counter);
}

/**
 * Every key whose name holds the (bare, unique) prefix, sorted by name, encoded as described above:
 * thaw's `{<prefix>}:...` and each queue's `{<prefix>:<queue>}:...` (and flat `<prefix>:...` names
 * of a layout before 3, should a dump be taken from such a commit).
 */
export async function dumpPrefix(redis: Redis, prefix: string, madeAt: number): Promise<SnapshotKey[]> {
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `*${globEscape(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    names.push(...found);
  } while (cursor !== '0');
  const text = (value: string) => encodeText(value, prefix, madeAt);
  const keys: SnapshotKey[] = [];
  for (const name of names.sort()) {
    const [type, ttlMs] = await Promise.all([redis.type(name), redis.pttl(name)]);
    const common = { key: text(name), ttlMs: ttlMs < 0 ? -1 : ttlMs };
    if (type === 'string') {
      keys.push({ ...common, type, value: text((await redis.get(name)) ?? '') });
    } else if (type === 'hash') {
      const hash = await redis.hgetall(name);
      const fields = Object.keys(hash).sort();
      keys.push({ ...common, type, value: Object.fromEntries(fields.map((f) => [text(f), text(hash[f]!)])) });
    } else if (type === 'list') {
      keys.push({ ...common, type, value: (await redis.lrange(name, 0, -1)).map(text) });
    } else if (type === 'set') {
      keys.push({ ...common, type, value: (await redis.smembers(name)).map(text).sort() });
    } else if (type === 'zset') {
      const flat = await redis.zrange(name, 0, -1, 'WITHSCORES');
      const value: [string, SnapshotScore][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        value.push([text(flat[i]!), encodeScore(name, flat[i + 1]!, prefix, madeAt)]);
      }
      keys.push({ ...common, type, value });
    } else if (type === 'stream') {
      const entries = await redis.xrange(name, '-', '+');
      keys.push({
        ...common,
        type,
        value: entries.map(([id, fields]) => ({ id: text(id), fields: fields.map(text) })),
      });
    } else if (type !== 'none') {
      throw new Error(`${name} is a ${type}: the snapshot does not know this type`);
    }
  }
  return keys;
}

/**
 * Writes a dump under `prefix`, with the dump's moment placed at `at` (now, by default). Keys
 * already there are replaced. Names keep the layout they were dumped in: a fixture of the layout
 * before 3 loads under old names, for thaw's start to move. Returns how many keys were written.
 */
export async function loadSnapshot(
  redis: Redis,
  keys: readonly SnapshotKey[],
  prefix: string,
  at = Date.now(),
): Promise<number> {
  const text = (value: string) => decodeText(value, prefix, at);
  const write = redis.multi();
  for (const stored of keys) {
    const name = text(stored.key);
    write.del(name);
    switch (stored.type) {
      case 'string':
        write.set(name, text(stored.value));
        break;
      case 'hash':
        write.hset(
          name,
          Object.fromEntries(Object.entries(stored.value).map(([f, v]) => [text(f), text(v)])),
        );
        break;
      case 'list':
        if (stored.value.length > 0) write.rpush(name, ...stored.value.map(text));
        break;
      case 'set':
        if (stored.value.length > 0) write.sadd(name, ...stored.value.map(text));
        break;
      case 'zset':
        if (stored.value.length > 0) {
          write.zadd(
            name,
            ...stored.value.flatMap(([member, score]) => [decodeScore(score, prefix, at), text(member)]),
          );
        }
        break;
      case 'stream':
        for (const entry of stored.value) write.xadd(name, text(entry.id), ...entry.fields.map(text));
        break;
    }
    if (stored.ttlMs > 0) write.pexpire(name, stored.ttlMs);
  }
  const results = (await write.exec()) ?? [];
  const failed = results.find(([error]) => error !== null);
  if (failed) throw failed[0];
  return keys.length;
}

/**
 * An upgrade fixture (test/fixtures/upgrade/v<N>.json): thaw's Redis state with work in flight,
 * written by the code of one commit (scripts/make-upgrade-fixture.ts), and what each part of it
 * stands for, so a test can load it under its own prefix and drive it to the end with newer code.
 */

const objectRef = z.object({ bucket: z.string(), key: z.string(), versionId: z.string().nullable() });

/** One restore request as the API showed it when the fixture was made. */
const fixtureRequestSchema = z.object({
  id: z.string(),
  /** What this request stands for and how the generator brought it there. */
  story: z.string(),
  /** `status` of GET /v1/restores/:id at dump time. */
  status: z.enum(['requested', 'initiated', 'completed', 'expired', 'failed']),
  recipient: z.string(),
  objects: z.array(objectRef),
  /** Each object's status at dump time, in order. */
  objectStatuses: z.array(z.string()),
  /** The POST /v1/restores body it was registered with. */
  registerBody: z.record(z.string(), z.unknown()),
  idempotencyKey: z.string().nullable(),
  cancelled: z.boolean(),
  /** Notifications at dump time; `sent` ones carry the SES MessageId of the email that went out. */
  notifications: z.array(z.object({ kind: z.string(), state: z.string(), messageId: z.string().nullable() })),
  /** Tokens of `/r/:token` and `/d/:token` links in the emails sent before the dump. */
  pageToken: z.string().nullable(),
  downloadTokens: z.array(z.string()),
});

const fixtureJobSchema = z.object({
  queue: z.string(),
  id: z.string(),
  name: z.string(),
  state: z.string(),
  attemptsMade: z.number(),
  /** The request a notification job is for, or the request an event job will move. */
  requestId: z.string().nullable(),
});

export const upgradeFixtureSchema = z.object({
  format: z.literal('thaw-upgrade-fixture'),
  /** The stored shape this fixture holds: v1, v2, ... */
  shape: z.string(),
  madeFrom: z.object({
    commit: z.string(),
    commitDate: z.string(),
    thawVersion: z.string(),
    bullmqVersion: z.string(),
    redisVersion: z.string(),
    node: z.string(),
  }),
  /** When the dump was taken (informative: times in `keys` are offsets from this moment). */
  madeAt: z.string(),
  /** Settings the state was written with (the test's instance uses the same ones). */
  config: z.record(z.string(), z.string()),
  requests: z.record(z.string(), fixtureRequestSchema),
  /** An event that arrived before its request: the request is registered only after the upgrade. */
  earlyEvent: z.object({
    object: objectRef,
    kind: z.string(),
    recipient: z.string(),
    registerBody: z.record(z.string(), z.unknown()),
  }),
  suppressedAddress: z.string(),
  /** BullMQ jobs not yet finished at dump time. */
  jobs: z.array(fixtureJobSchema),
  keyCount: z.number(),
  keys: z.array(snapshotKeySchema),
});

export type UpgradeFixture = z.infer<typeof upgradeFixtureSchema>;
export type FixtureRequest = z.infer<typeof fixtureRequestSchema>;
export type FixtureJob = z.infer<typeof fixtureJobSchema>;

export function readUpgradeFixture(path: string): UpgradeFixture {
  return upgradeFixtureSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Loads the fixture's keys under `prefix`, as if the dump had been taken at `at` (now). */
export function loadUpgradeFixture(
  redis: Redis,
  fixture: UpgradeFixture,
  prefix: string,
  at = Date.now(),
): Promise<number> {
  return loadSnapshot(redis, fixture.keys, prefix, at);
}
