import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThawError } from '../errors';
import { KEY_LAYOUT_VERSION, createRedisKeys } from '../keys';
import type { Logger } from '../logger';
import { defineScript } from '../redis/redis-script';
import type { RedisScript } from '../redis/redis-script';
import type { RedisClient } from '../redis/redis-connection';
import { moveFamily } from './move-keys';
import { oldLayoutFamilies } from './old-layout';

/**
 * Moves the keys of the layout before 3 (old-layout.ts) to their names in layout 3, once per Redis,
 * at start: before any worker takes a job or HTTP serves, and before any BullMQ Queue or Worker is
 * made on the new names (each writes its queue's `meta` when it connects, which would then stand in
 * the way of the old one). Deployments upgrade with work in flight: requests live 30 days, and
 * delayed jobs, the reconcile job scheduler and deduplication keys with TTLs are all waiting.
 *
 * RENAME keeps a key's value, type and TTL, so moving is all a key needs, provided no value holds a
 * key name. thaw's own values hold none: the store's Lua steps get names as KEYS or as templates in
 * ARGV, never from stored data (the upgrade fixtures' generator checks that no value holds the
 * prefix). BullMQ 6.7 (commands/*.lua, classes/job.js) keeps full key names in values only for
 * parent–child jobs: a job's `parentKey` field and `parent.queueKey` JSON, the members of
 * `<job>:dependencies`, the fields of `<job>:processed` and `<job>:failed`, the members of
 * `<job>:unsuccessful`, and `pk`/`pdk` of a deduplicated next job (`dn:<id>`). thaw makes no flows
 * and no parent jobs, so none of these exists. What thaw does use holds ids, never names: the
 * `repeat` zset and `repeat:<scheduler>` hash of job schedulers, their jobs' ids
 * (`repeat:<scheduler>:<millis>`) and `rjk` field (the scheduler id); `de:<id>` (its value is the
 * job id, the job's `deid` the deduplication id); the `delayed` zset, `wait` list, `marker`,
 * `events` stream, `meta` hash and `id` counter.
 *
 * One process moves, under a lock (`{<bare>}:layout:migrating`, renewed after every batch); the
 * others wait until the layout is recorded, taking the lock over if its holder died. A move never
 * overwrites: where a new name is taken already, the old key stays and a warning names both.
 */
export interface KeyLayoutMigrationOptions {
  readonly redis: RedisClient;
  /** THAW_PREFIX as the operator wrote it. */
  readonly prefix: string;
  readonly logger: Logger;
  /** Redis Cluster: no thaw before layout 3 ran on one, so there is nothing to move. */
  readonly cluster: boolean;
  /** How long to wait for another process' migration before giving up (retryable). */
  readonly waitMs?: number;
}

export interface MovedKeys {
  /** thaw's own keys moved. */
  readonly store: number;
  /** BullMQ's keys moved, all three queues. */
  readonly queue: number;
  /** Old keys left in place because their new name was taken (each logged). */
  readonly conflicts: number;
}

export interface KeyLayoutMigrationResult {
  /**
   * `current`: layout 3 was recorded already; `recorded`: a Cluster, nothing to move; `migrated`:
   * this process moved the keys; `waited`: another process did.
   */
  readonly outcome: 'current' | 'recorded' | 'migrated' | 'waited';
  readonly moved: MovedKeys;
}

const LOCK_TTL_MS = 60_000;
const POLL_MS = 200;
/** Longer than the lock lives, so a waiter outlives a holder that died and takes over. */
const DEFAULT_WAIT_MS = 2 * LOCK_TTL_MS;

const NOTHING: MovedKeys = { store: 0, queue: 0, conflicts: 0 };

// Only the holder may renew or release the lock: a holder paused past the TTL must not extend or
// delete the lock of the process that took over.
const RENEW_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export async function migrateKeyLayout(
  options: KeyLayoutMigrationOptions,
): Promise<KeyLayoutMigrationResult> {
  const { redis, prefix, logger, cluster } = options;
  const keys = createRedisKeys(prefix);
  if (isCurrent(await redis.get(keys.layout), keys.layout)) return { outcome: 'current', moved: NOTHING };
  if (cluster) {
    await redis.set(keys.layout, KEY_LAYOUT_VERSION);
    logger.info(
      { layout: KEY_LAYOUT_VERSION },
      'key layout recorded: Redis Cluster, where no thaw of an earlier layout ran, so there is nothing to move',
    );
    return { outcome: 'recorded', moved: NOTHING };
  }
  const lock = `${keys.layout}:migrating`;
  const token = randomBytes(16).toString('hex');
  const release = defineScript(redis, 'release-layout-lock', RELEASE_LOCK, 1);
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + waitMs;
  let waited = false;
  for (;;) {
    if ((await redis.set(lock, token, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') {
      // The holder before may have finished between our last look and its lock's release.
      if (isCurrent(await redis.get(keys.layout), keys.layout)) {
        await release([lock], [token]);
        return { outcome: 'waited', moved: NOTHING };
      }
      return { outcome: 'migrated', moved: await migrateHolding(options, lock, token, release) };
    }
    if (!waited) logger.info({ lock }, 'another thaw process is moving keys to the new layout: waiting');
    waited = true;
    if (Date.now() >= deadline) {
      throw new ThawError(
        'key_layout_migration_timeout',
        `another thaw process holds ${lock} and has not recorded key layout ${KEY_LAYOUT_VERSION} in ${keys.layout} after ${waitMs} ms; start again (it takes the migration over once that lock expires, within ${LOCK_TTL_MS / 1000} s of its holder stopping)`,
        { retryable: true },
      );
    }
    await sleep(POLL_MS);
    if (isCurrent(await redis.get(keys.layout), keys.layout)) return { outcome: 'waited', moved: NOTHING };
  }
}

/** Moves every family, records the layout, releases the lock; the caller holds it. */
async function migrateHolding(
  options: KeyLayoutMigrationOptions,
  lock: string,
  token: string,
  release: RedisScript,
): Promise<MovedKeys> {
  const { redis, prefix, logger } = options;
  const keys = createRedisKeys(prefix);
  const renew = defineScript(redis, 'renew-layout-lock', RENEW_LOCK, 1);
  const stillHeld = async () => {
    if ((await renew([lock], [token, LOCK_TTL_MS])) !== 1) {
      // Another process has taken the migration over; moving on beside it would be harmless
      // (RENAMENX moves each key once) but its counts and warnings would be wrong.
      throw new ThawError(
        'key_layout_lock_lost',
        `lost ${lock} while moving keys to layout ${KEY_LAYOUT_VERSION} (a pause longer than ${LOCK_TTL_MS / 1000} s?); start again`,
        { retryable: true },
      );
    }
  };
  const moved = { store: 0, queue: 0, conflicts: 0 };
  try {
    for (const family of oldLayoutFamilies(prefix)) {
      const counts = await moveFamily(redis, family, logger, stillHeld);
      moved[family.owner] += counts.moved;
      moved.conflicts += counts.conflicts;
    }
    await redis.set(keys.layout, KEY_LAYOUT_VERSION);
  } finally {
    // Not releasing is harmless (the lock expires); failing here must not hide why moving failed.
    await release([lock], [token]).catch(() => undefined);
  }
  logger.info(
    {
      layout: KEY_LAYOUT_VERSION,
      storeKeys: moved.store,
      queueKeys: moved.queue,
      conflicts: moved.conflicts,
    },
    `key layout ${KEY_LAYOUT_VERSION}: moved store keys ${moved.store}, queue keys ${moved.queue}`,
  );
  return moved;
}

/**
 * Whether the recorded layout is this one. A newer one means a newer thaw has migrated already and
 * this older code would read none of it: refuse rather than serve an empty-looking Redis.
 */
function isCurrent(recorded: string | null, layoutKey: string): boolean {
  if (recorded === KEY_LAYOUT_VERSION) return true;
  if (recorded !== null && Number(recorded) > Number(KEY_LAYOUT_VERSION)) {
    throw new ThawError(
      'key_layout_newer',
      `${layoutKey} records key layout ${recorded}, newer than this thaw's ${KEY_LAYOUT_VERSION}: run a thaw of that layout or newer`,
      { retryable: false },
    );
  }
  return false;
}
