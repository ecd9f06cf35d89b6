import type { Redis } from 'ioredis';
import { barePrefix, storePrefix } from '../../src/keys';

/** `INFO <section>` as name → value. */
export async function info(redis: Redis, section: string): Promise<Record<string, string>> {
  const text = await redis.info(section);
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** Calls per command from `INFO commandstats` (counts commands run inside Lua scripts too). */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const [name, value] of Object.entries(await info(redis, 'commandstats'))) {
    const match = /calls=(\d+)/.exec(value);
    if (match?.[1]) calls.set(name.replace(/^cmdstat_/, ''), Number(match[1]));
  }
  return calls;
}

/** What Redis did between two commandstats snapshots, minus the bench's own INFO calls. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, calls] of after) {
    if (name === 'info') continue;
    const grown = calls - (before.get(name) ?? 0);
    if (grown > 0) delta.set(name, grown);
  }
  return delta;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await info(redis, 'memory')).used_memory ?? 0);
}

/**
 * The SCAN patterns of every key under a THAW_PREFIX (src/keys.ts): thaw's own keys under the hash
 * tag `{<p>}:`, each BullMQ queue's under a tag of its own, `{<p>:<queue>}:`.
 */
function prefixPatterns(prefix: string): string[] {
  return [`${storePrefix(prefix)}:*`, `{${barePrefix(prefix)}:*}:*`];
}

/**
 * The hash tag of a key under a THAW_PREFIX, `{<p>}:` or `{<p>:<queue>}:`, at the start of a key
 * name (or anywhere, for a command's arguments). Not one of another prefix that merely starts the
 * same: `<p>-2`, or `<p>:staging` (`{<p>:staging}:req:...`; a queue tag is followed by the queue).
 */
export function prefixTag(prefix: string, where: 'start' | 'anywhere' = 'start'): RegExp {
  const bare = barePrefix(prefix).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${where === 'start' ? '^' : ''}\\{${bare}(?:\\}:|:([^:{}]+)\\}:\\1:)`);
}

/** A key without its hash tag: `{<p>}:req:r_1` → `req:r_1`, `{<p>:<queue>}:<queue>:wait` → `<queue>:wait`. */
function withoutTag(key: string): string {
  return key.slice(key.indexOf('}:') + 2);
}

/** Every key under a prefix (thaw's own and BullMQ's), a SCAN batch at a time. */
async function scanPrefix(
  redis: Redis,
  prefix: string,
  batch: (keys: string[]) => Promise<void>,
): Promise<void> {
  const tag = prefixTag(prefix);
  for (const pattern of prefixPatterns(prefix)) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      const mine = keys.filter((key) => tag.test(key));
      if (mine.length > 0) await batch(mine);
    } while (cursor !== '0');
  }
}

/** Deletes every key under a prefix (thaw's own and BullMQ's); returns how many. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  await scanPrefix(redis, prefix, async (keys) => {
    deleted += await redis.unlink(...keys);
  });
  return deleted;
}

/** Deletes every key matching a SCAN pattern; returns how many. */
export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export interface PrefixMemory {
  readonly keys: number;
  readonly bytes: number;
  /** Bytes and key counts per key family (`req:<id>` → `req:*`). */
  readonly families: Map<string, { keys: number; bytes: number }>;
}

/**
 * Exact memory of every key under a prefix (`MEMORY USAGE key SAMPLES 0` counts every element of
 * a hash or sorted set instead of estimating from 5), grouped by key family (named without the
 * hash tag: `req:*`, `notifications:wait`).
 */
export async function prefixMemory(redis: Redis, prefix: string): Promise<PrefixMemory> {
  const families = new Map<string, { keys: number; bytes: number }>();
  let total = 0;
  let count = 0;
  await scanPrefix(redis, prefix, async (keys) => {
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const answers = (await pipeline.exec()) ?? [];
    keys.forEach((key, index) => {
      const bytes = Number(answers[index]?.[1] ?? 0);
      const family = keyFamily(withoutTag(key));
      const entry = families.get(family) ?? { keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += bytes;
      families.set(family, entry);
      total += bytes;
      count += 1;
    });
  });
  return { keys: count, bytes: total, families };
}

const THAW_FAMILIES = new Set(['req', 'obj', 'early', 'idem', 'dl', 'page']);
const BULLMQ_SHARED_KEYS = new Set([
  'wait',
  'paused',
  'active',
  'prioritized',
  'delayed',
  'completed',
  'failed',
  'stalled',
  'stalled-check',
  'meta',
  'events',
  'id',
  'marker',
  'limiter',
  'pc',
  'repeat',
]);

/**
 * `req:r_abc:ev` → `req:*:ev`, `obj:<digest>` → `obj:*`; BullMQ's `<queue>:<jobId>` →
 * `<queue>:<job>` and `<queue>:de:<id>` → `<queue>:de:*`, while its shared keys keep their names.
 */
function keyFamily(rest: string): string {
  const parts = rest.split(':');
  const [head, second] = parts;
  if (head === undefined || second === undefined) return rest;
  if (THAW_FAMILIES.has(head)) return [head, '*', ...parts.slice(2)].join(':');
  if (BULLMQ_SHARED_KEYS.has(second)) return parts.length > 2 ? `${head}:${second}:*` : rest;
  if (second === 'de') return `${head}:de:*`;
  return parts.length > 2 ? `${head}:<job>:${parts.slice(2).join(':')}` : `${head}:<job>`;
}
