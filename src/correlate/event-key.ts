import type { RestoreEvent } from '../domain/types';
import type { RestoreStore } from './restore-store';

/**
 * The event as correlation should apply it. An EventBridge event whose key URL-decoding changed
 * also carries the key as it stood (`rawKey`: AWS does not document whether EventBridge encodes
 * keys). When no request waits on the decoded key and one waits on the key as it stood, the event
 * is about that object. Otherwise the decoded key stays, so an unmatched event waits for later
 * requests under it, as every event did before `rawKey` existed and as jobs queued without it do.
 */
export async function eventToCorrelate(
  event: RestoreEvent,
  listIdsByObject: RestoreStore['listIdsByObject'],
): Promise<RestoreEvent> {
  const { rawKey, ...decoded } = event;
  if (rawKey === undefined || rawKey === event.key) return decoded;
  if ((await listIdsByObject(event.bucket, event.key, event.versionId)).length > 0) return decoded;
  if ((await listIdsByObject(event.bucket, rawKey, event.versionId)).length === 0) return decoded;
  return { ...decoded, key: rawKey };
}
