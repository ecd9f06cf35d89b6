import type { RedisClient } from '../redis/redis-connection';
import type {
  NotificationRecord,
  NotificationState,
  ObjectState,
  RecordedEvent,
  RestoreRequest,
  RestoreRequestSpec,
  RestoreStatus,
} from '../domain/restore-request';
import { NOTIFICATION_KINDS } from '../domain/restore-request';
import type { RedisKeys } from '../keys';

interface StoredObjectState {
  s: RestoreStatus;
  c?: string;
  x?: string;
  e?: number;
  r?: string;
  z?: number;
}

interface StoredNotification {
  s: NotificationState;
  id?: string;
  /** ISO time SES accepted it (state `sent`); ms of the claim (state `sending`). */
  at?: string | number;
  r?: string;
}

interface StoredEvent {
  k: RecordedEvent['kind'];
  o: number;
  t: string;
  src: RecordedEvent['source'];
  ra: number;
  f: RecordedEvent['effect'] | 'duplicate' | 'missing';
}

/**
 * Reads a stored request (hash, spec and, unless not wanted, event history) in one round trip.
 * Emails need no history; the API shows it.
 */
export async function readRequest(
  redis: RedisClient,
  keys: RedisKeys,
  id: string,
  options: { events?: boolean } = {},
): Promise<RestoreRequest | null> {
  const read = redis.multi().hgetall(keys.request(id)).get(keys.requestSpec(id));
  if (options.events ?? true) read.lrange(keys.requestEvents(id), 0, -1);
  const results = await read.exec();
  const hash = (results?.[0]?.[1] ?? {}) as Record<string, string>;
  const spec = results?.[1]?.[1] as string | null | undefined;
  const history = (results?.[2]?.[1] ?? []) as string[];
  if (!spec || !hash.status) return null;
  return toRequest(id, JSON.parse(spec) as RestoreRequestSpec, hash, history);
}

export function toRequest(
  id: string,
  spec: RestoreRequestSpec,
  hash: Record<string, string>,
  history: readonly string[],
): RestoreRequest {
  const count = Number(hash.n ?? spec.objects.length);
  const objectStates: ObjectState[] = [];
  for (let index = 0; index < count; index += 1) {
    const stored = JSON.parse(hash[`o:${index}`] ?? '{"s":"requested"}') as StoredObjectState;
    objectStates.push({
      status: stored.s,
      storageClass: stored.c ?? null,
      restoreExpiryTime: stored.x ?? null,
      expectedBy: stored.e !== undefined ? new Date(stored.e).toISOString() : null,
      failureReason: stored.r ?? null,
      size: stored.z ?? null,
      downloadedAt: hash[`dn:${index}`] ? new Date(Number(hash[`dn:${index}`])).toISOString() : null,
    });
  }
  const notifications: NotificationRecord[] = [];
  for (const kind of NOTIFICATION_KINDS) {
    const raw = hash[`n:${kind}`];
    if (!raw) continue;
    const stored = JSON.parse(raw) as StoredNotification;
    notifications.push({
      kind,
      state: stored.s,
      messageId: stored.s === 'sent' ? (stored.id ?? null) : null,
      sentAt: stored.s === 'sent' && typeof stored.at === 'string' ? stored.at : null,
      reason: stored.r ?? null,
    });
  }
  const events: RecordedEvent[] = history
    .map((raw) => JSON.parse(raw) as StoredEvent)
    .filter((event) => event.f !== 'duplicate' && event.f !== 'missing')
    .map((event) => ({
      kind: event.k,
      object: event.o,
      eventTime: event.t,
      source: event.src,
      receivedAt: new Date(event.ra).toISOString(),
      effect: event.f as RecordedEvent['effect'],
    }));
  return {
    ...spec,
    objects: spec.objects.map((object) => ({
      bucket: object.bucket,
      key: object.key,
      versionId: object.versionId,
    })),
    id,
    status: (hash.status ?? 'requested') as RestoreStatus,
    objectStates,
    events,
    notifications,
    createdAt: new Date(Number(hash.created)).toISOString(),
    updatedAt: new Date(Number(hash.updated)).toISOString(),
    cancelledAt: hash.cancelled ? new Date(Number(hash.cancelled)).toISOString() : null,
  };
}
