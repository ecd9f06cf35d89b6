import type { Logger } from '../logger';
import type { RedisClient } from '../redis/redis-connection';
import { matchOf, renamed } from './old-layout';
import type { KeyFamily } from './old-layout';

export interface FamilyMoved {
  readonly moved: number;
  /** Old keys left where they were because their new name was taken. */
  readonly conflicts: number;
}

/** Keys looked at per SCAN step, and renamed per round trip. */
const BATCH = 1000;

/**
 * Moves one family's keys to their new names with RENAMENX: a name already taken is never
 * overwritten; a key gone in the meantime (its TTL ran out) is simply not there to move. Keys
 * renamed during the SCAN cannot make it miss one that is still there: SCAN returns every key
 * present from its start to its end, and a moved key's new name does not match the old pattern.
 * `stillHeld` runs after every batch (it renews the migration lock, or throws).
 */
export async function moveFamily(
  redis: RedisClient,
  family: KeyFamily,
  logger: Logger,
  stillHeld: () => Promise<void>,
): Promise<FamilyMoved> {
  if (family.span === 'one') return renameAll(redis, family, [family.from], logger);
  let moved = 0;
  let conflicts = 0;
  let cursor = '0';
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', matchOf(family), 'COUNT', BATCH);
    cursor = next;
    const counts = await renameAll(redis, family, names, logger);
    moved += counts.moved;
    conflicts += counts.conflicts;
    await stillHeld();
  } while (cursor !== '0');
  return { moved, conflicts };
}

async function renameAll(
  redis: RedisClient,
  family: KeyFamily,
  names: readonly string[],
  logger: Logger,
): Promise<FamilyMoved> {
  if (names.length === 0) return { moved: 0, conflicts: 0 };
  const pipeline = redis.pipeline();
  for (const name of names) pipeline.renamenx(name, renamed(family, name));
  const results = (await pipeline.exec()) ?? [];
  let moved = 0;
  let conflicts = 0;
  results.forEach(([error, answer], index) => {
    const from = names[index]!;
    if (error) {
      if (/no such key/i.test(error.message)) return;
      throw error;
    }
    if (answer === 1) {
      moved += 1;
      return;
    }
    conflicts += 1;
    logger.warn(
      { from: masked(from), to: masked(renamed(family, from)) },
      'key layout migration: the new name is taken already, so the old key stays where it is; compare the two and merge by hand',
    );
  });
  return { moved, conflicts };
}

/** Download and page tokens are customers' links: a log line names their keys without them. */
function masked(name: string): string {
  return name.replace(/(:(?:dl|page):)[A-Za-z0-9_-]+/, '$1[token]');
}
