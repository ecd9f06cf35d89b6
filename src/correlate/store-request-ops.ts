import type { NotificationKind } from '../domain/restore-request';
import { isRequestId } from './request-id';
import { requestKeys, scriptTuning } from './store-context';
import type { StoreContext } from './store-context';

/** Decides a notification for a request still in one of `whileStatus`; true if it is newly due. */
export async function decideNotification(
  context: StoreContext,
  id: string,
  kind: NotificationKind,
  whileStatus: readonly string[],
): Promise<boolean> {
  const { keys } = context;
  return (
    (await context.scripts.decide(
      [keys.request(id), keys.outbox],
      [scriptTuning(context), id, kind, whileStatus.join(',')],
    )) === 1
  );
}

/** A customer followed the download link of one object; true the first time for that object. */
export async function recordDownload(
  context: StoreContext,
  id: string,
  objectIndex: number,
  at = Date.now(),
): Promise<boolean> {
  return (
    (await context.scripts.recordDownload([context.keys.request(id)], [String(objectIndex), String(at)])) ===
    1
  );
}

/** Marks notifications queued (their jobs exist); returns how many were still pending. */
export async function markQueued(
  context: StoreContext,
  id: string,
  kinds: readonly NotificationKind[],
): Promise<number> {
  if (kinds.length === 0) return 0;
  const { keys } = context;
  return Number(await context.scripts.markQueued([keys.request(id), keys.outbox], [id, ...kinds]));
}

/** False for an unknown id (and, without asking Redis, for a string that is not a request id). */
export async function cancelRequest(context: StoreContext, id: string): Promise<boolean> {
  if (!isRequestId(id)) return false;
  return (
    (await context.scripts.cancel(
      [...requestKeys(context, id), ...context.shared],
      [context.templates, scriptTuning(context), id],
    )) === 1
  );
}
