import { objectDigest } from '../domain/object-ref';
import { idempotencyKeyHash } from './idempotency-records';
import { newRequestId } from './request-id';
import type { InitialObjectState, NewRequest, RegisterResult } from './restore-store-types';
import { requestKeys, scriptTuning, splitKinds, unmatchedKey } from './store-context';
import type { StoreContext } from './store-context';

/** Stores a new request in one script run (or finds the one its Idempotency-Key already made). */
export async function registerRequest(context: StoreContext, request: NewRequest): Promise<RegisterResult> {
  const { keys } = context;
  const id = newRequestId();
  const objects = request.spec.objects.map((object, index) => {
    const digest = objectDigest(object.bucket, object.key);
    const entry: Record<string, unknown> = { d: digest, st: encodeInitialState(request.initial[index]!) };
    if (object.versionId !== null) entry.v = object.versionId;
    return entry;
  });
  const payload = registrationPayload(context, request, id, objects);
  const idemKey = keys.idempotency(request.idempotency ? idempotencyKeyHash(request.idempotency.key) : '-');
  const objectKeys = [...new Set(objects.map((object) => String(object.d)))].flatMap((digest) => [
    keys.objectIndexByDigest(digest),
    keys.earlyEvents(digest),
  ]);
  const scriptKeys = [
    idemKey,
    unmatchedKey(keys),
    ...requestKeys(context, id),
    ...context.shared,
    ...objectKeys,
  ];
  const [outcome, storedId, pending] = (await context.scripts.register(scriptKeys.length)(scriptKeys, [
    context.templates,
    scriptTuning(context),
    JSON.stringify(payload),
  ])) as [string, string, string];
  return {
    outcome: outcome === 'exists' ? 'exists' : 'created',
    id: storedId,
    pending: splitKinds(pending),
  };
}

/** What REGISTER_REQUEST_LUA reads: the spec (objects with their digests), states and schedule. */
function registrationPayload(
  context: StoreContext,
  request: NewRequest,
  id: string,
  objects: Record<string, unknown>[],
): Record<string, unknown> {
  const spec = {
    ...request.spec,
    objects: request.spec.objects.map((object, index) => ({ ...object, d: objects[index]?.d })),
  };
  return {
    id,
    spec: JSON.stringify(spec),
    remind: request.spec.remindBeforeExpiry ? 1 : 0,
    objects,
    replaySince: request.replaySince,
    ...(request.eventsSince !== undefined ? { since: request.eventsSince } : {}),
    firstDue: request.firstDueAt,
    ...(request.idempotency
      ? { idem: { fp: request.idempotency.fingerprint, ttl: context.tuning.idempotencyTtlMs } }
      : {}),
  };
}

/**
 * The stored per-object state is compact (`s w e c x xm z r`, read by the Lua in lua/prelude.ts);
 * that encoding stays inside the store, and callers speak in domain names.
 */
function encodeInitialState(state: InitialObjectState): Record<string, unknown> {
  return {
    s: state.status,
    w: state.expectedDurationMs,
    ...(state.expectedByMs !== undefined ? { e: state.expectedByMs } : {}),
    ...(state.storageClass !== undefined ? { c: state.storageClass } : {}),
    ...(state.expiry !== undefined ? { x: state.expiry.iso, xm: state.expiry.ms } : {}),
    ...(state.sizeBytes !== undefined ? { z: state.sizeBytes } : {}),
    ...(state.failureReason !== undefined ? { r: state.failureReason } : {}),
  };
}
