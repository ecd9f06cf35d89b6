import type { Redis } from 'ioredis';

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

/** Deletes every key under a prefix (thaw's own and BullMQ's); returns how many. */
export function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  return deleteMatching(redis, `${prefix}:*`);
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
 * a hash or sorted set instead of estimating from 5), grouped by key family.
 */
export async function prefixMemory(redis: Redis, prefix: string): Promise<PrefixMemory> {
  const families = new Map<string, { keys: number; bytes: number }>();
  let total = 0;
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const answers = (await pipeline.exec()) ?? [];
    keys.forEach((key, index) => {
      const bytes = Number(answers[index]?.[1] ?? 0);
      const family = keyFamily(key.slice(prefix.length + 1));
      const entry = families.get(family) ?? { keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += bytes;
      families.set(family, entry);
      total += bytes;
      count += 1;
    });
  } while (cursor !== '0');
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
