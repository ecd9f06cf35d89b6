import type { NotificationKind } from '../domain/restore-request';
import { unmatchedKey } from './store-context';
import type { StoreContext } from './store-context';

// Plain reads and writes of the store's sorted sets: object index, schedule, reminders, outbox,
// early events.

export async function listIdsByObject(
  context: StoreContext,
  bucket: string,
  key: string,
  versionId?: string | null,
): Promise<string[]> {
  const members = await context.redis.zrange(context.keys.objectIndex(bucket, key), 0, -1);
  const ids = new Set<string>();
  for (const member of members) {
    const [id, , version] = member.split('|');
    if (!id) continue;
    if (versionId === undefined || version === '*' || version === (versionId ?? 'null')) ids.add(id);
  }
  return [...ids];
}

export function dueIds(context: StoreContext, now: number, limit: number): Promise<string[]> {
  return context.redis.zrangebyscore(context.keys.due, '-inf', now, 'LIMIT', 0, limit);
}

export async function reschedule(context: StoreContext, id: string, at: number): Promise<void> {
  // XX: a request that finished meanwhile (and left the schedule) is not put back.
  await context.redis.zadd(context.keys.due, 'XX', at, id);
}

export async function unschedule(context: StoreContext, id: string): Promise<void> {
  await context.redis.zrem(context.keys.due, id);
}

export function remindersDue(context: StoreContext, now: number, limit: number): Promise<string[]> {
  return context.redis.zrangebyscore(context.keys.remind, '-inf', now, 'LIMIT', 0, limit);
}

export async function removeReminder(context: StoreContext, id: string): Promise<void> {
  await context.redis.zrem(context.keys.remind, id);
}

export async function outboxOlderThan(
  context: StoreContext,
  before: number,
  limit: number,
): Promise<{ id: string; kind: NotificationKind }[]> {
  const members = await context.redis.zrangebyscore(context.keys.outbox, '-inf', before, 'LIMIT', 0, limit);
  return members.flatMap((member) => {
    const [id, kind] = member.split('|');
    return id && kind ? [{ id, kind: kind as NotificationKind }] : [];
  });
}

/** Removes early events whose window ended without a request picking them up; returns how many. */
export async function dropUnmatched(context: StoreContext, now: number, limit: number): Promise<number> {
  const { redis } = context;
  const members = await redis.zrangebyscore(unmatchedKey(context.keys), '-inf', now, 'LIMIT', 0, limit);
  if (members.length === 0) return 0;
  return redis.zrem(unmatchedKey(context.keys), ...members);
}
