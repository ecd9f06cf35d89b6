import { objectDigest } from '../domain/object-ref';
import type { RestoreEvent } from '../domain/types';
import type { ApplyResult, EventEffect, EventOutcome } from './restore-store-types';
import { requestKeys, scriptTuning, splitKinds, unmatchedKey } from './store-context';
import type { StoreContext } from './store-context';

/** Applies one S3 event to every request of its object (or keeps it as an early event). */
export async function applyEvent(
  context: StoreContext,
  event: RestoreEvent,
  eventId: string,
  options: { replay?: boolean; receivedAt?: number } = {},
): Promise<ApplyResult> {
  const { keys } = context;
  const digest = objectDigest(event.bucket, event.key);
  const reply = (await context.scripts.applyEvent(
    [keys.objectIndexByDigest(digest), keys.earlyEvents(digest), unmatchedKey(keys), ...context.shared],
    [
      context.templates,
      scriptTuning(context),
      JSON.stringify(toScriptEvent(event, eventId, options.receivedAt)),
      digest,
      options.replay ? 'replay' : '',
    ],
  )) as (string | number)[];
  const outcomes: EventOutcome[] = [];
  for (let index = 2; index + 2 < reply.length; index += 3) {
    outcomes.push({
      requestId: String(reply[index]),
      effect: String(reply[index + 1]) as EventEffect,
      pending: splitKinds(String(reply[index + 2] ?? '')),
    });
  }
  return { matched: Number(reply[0]), outcomes, unmatchedDropped: Number(reply[1]) };
}

/** Marks one object of one request failed, as a `failed` event from the reconciler. */
export async function failObject(
  context: StoreContext,
  id: string,
  objectIndex: number,
  reason: string,
): Promise<EventOutcome> {
  const now = Date.now();
  const failure = {
    id: `failed-${objectIndex}`,
    k: 'failed',
    t: new Date(now).toISOString(),
    tm: now,
    src: 'reconcile',
    ra: now,
    r: reason,
  };
  const [effect, pending] = (await context.scripts.applyToRequest(
    [...requestKeys(context, id), ...context.shared],
    [context.templates, scriptTuning(context, now), id, String(objectIndex), JSON.stringify(failure)],
  )) as [string, string];
  return { requestId: id, effect: effect as EventEffect, pending: splitKinds(pending) };
}

/** The compact event the scripts read; absent fields are left out (Lua sees JSON null as a value). */
function toScriptEvent(
  event: RestoreEvent,
  eventId: string,
  receivedAt = Date.now(),
): Record<string, unknown> {
  const scripted: Record<string, unknown> = {
    id: eventId,
    k: event.kind,
    t: event.eventTime,
    tm: Date.parse(event.eventTime),
    src: event.source,
    ra: receivedAt,
  };
  if (event.versionId !== null) scripted.v = event.versionId;
  if (event.sequencer) scripted.q = event.sequencer;
  if (event.restoreExpiryTime) {
    scripted.x = event.restoreExpiryTime;
    scripted.xm = Date.parse(event.restoreExpiryTime);
  }
  if (event.storageClass) scripted.c = event.storageClass;
  if (event.size !== undefined) scripted.z = event.size;
  return scripted;
}
