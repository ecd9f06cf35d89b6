import type { Redis } from 'ioredis';
import type { ObjectRef } from '../../src/domain/object-ref';
import { restoreEventJobId } from '../../src/queue/event-producer';
import type { RestoreStore } from '../../src/correlate/restore-store';
import { createRedisKeys } from '../../src/keys';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { event, requested, spec, testStore } from '../helpers/store';

const prefix = uniquePrefix('restore-store');
const keys = createRedisKeys(prefix);
let redis: Redis;
let store: RestoreStore;

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix);
});
afterEach(async () => {
  await deletePrefix(redis, prefix);
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const object = (key = 'reports/2019.pdf', versionId: string | null = null): ObjectRef => ({
  bucket: 'archive',
  key,
  versionId,
});

async function registerOne(ref: ObjectRef = object(), overrides = {}) {
  return store.register({
    spec: spec([ref], overrides),
    initial: requested(1),
    replaySince: 0,
    firstDueAt: Date.now() + 60_000,
  });
}

async function apply(ev: ReturnType<typeof event>) {
  return store.applyEvent(ev, restoreEventJobId(ev));
}

describe('restore store', () => {
  it('registers a request and finds it by object', async () => {
    const { id, outcome, pending } = await registerOne();
    expect(outcome).toBe('created');
    expect(pending).toEqual([]);
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      id,
      status: 'requested',
      objects: [object()],
      notifications: [],
      events: [],
    });
    expect(await store.listIdsByObject('archive', 'reports/2019.pdf')).toEqual([id]);
    expect(await store.get('r_unknown')).toBeNull();
  });

  it('moves forward through initiated, completed, expired with one notification each', async () => {
    const { id } = await registerOne();
    const ref = object();
    const initiated = await apply(event(ref, 'initiated'));
    expect(initiated.outcomes).toEqual([{ requestId: id, effect: 'applied', pending: ['initiated'] }]);
    expect(await store.markQueued(id, ['initiated'])).toBe(1);
    const completed = await apply(event(ref, 'completed'));
    expect(completed.outcomes[0]).toMatchObject({ effect: 'applied', pending: ['completed'] });
    await store.markQueued(id, ['completed']);
    const expired = await apply(event(ref, 'expired'));
    expect(expired.outcomes[0]).toMatchObject({ effect: 'applied', pending: ['expired'] });
    const stored = await store.get(id);
    expect(stored?.status).toBe('expired');
    expect(stored?.events.map((e) => e.kind)).toEqual(['initiated', 'completed', 'expired']);
    expect(stored?.objectStates[0]).toMatchObject({
      status: 'expired',
      restoreExpiryTime: '2026-12-04T00:00:00.000Z',
    });
    // Finished: kept for the retention period, then gone; no longer scheduled.
    const ttl = await redis.pttl(keys.request(id));
    expect(ttl).toBeGreaterThan(29 * 86400_000);
    expect(ttl).toBeLessThanOrEqual(30 * 86400_000);
    expect(await redis.zscore(keys.due, id)).toBeNull();
  });

  it('ignores a duplicate event and records a late one without moving back', async () => {
    const { id } = await registerOne();
    const ref = object();
    const initiated = event(ref, 'initiated');
    await apply(event(ref, 'completed'));
    expect((await apply(initiated)).outcomes[0]).toMatchObject({ effect: 'late', pending: ['completed'] });
    expect((await apply(initiated)).outcomes[0]).toMatchObject({ effect: 'duplicate' });
    const stored = await store.get(id);
    expect(stored?.status).toBe('completed');
    expect(stored?.notifications.map((n) => n.kind)).toEqual(['completed']);
    expect(stored?.events.map((e) => `${e.kind}:${e.effect}`)).toEqual([
      'completed:applied',
      'initiated:late',
    ]);
  });

  it('matches versioned requests only to their version, versionless ones to any', async () => {
    const v1 = await registerOne(object('k', 'v1'));
    const any = await registerOne(object('k', null));
    const result = await apply(event(object('k', 'v2'), 'initiated'));
    expect(result.outcomes.map((o) => o.requestId)).toEqual([any.id]);
    const both = await apply(event(object('k', 'v1'), 'completed'));
    expect(both.outcomes.map((o) => o.requestId).sort()).toEqual([v1.id, any.id].sort());
  });

  it('keeps an event that arrived before its request and applies it at registration', async () => {
    const ref = object('early.txt');
    const early = await apply(event(ref, 'initiated'));
    expect(early.matched).toBe(0);
    const { id, pending } = await registerOne(ref);
    expect(pending).toEqual(['initiated']);
    expect((await store.get(id))?.status).toBe('initiated');
    // Picked up: no longer counted as unmatched when the window ends.
    expect(await store.dropUnmatched(Date.now() + 2 * 86400_000, 100)).toBe(0);
  });

  it('counts early events nobody picked up once their window ends', async () => {
    await apply(event(object('nobody.txt'), 'completed'));
    expect(await store.dropUnmatched(Date.now(), 100)).toBe(0);
    expect(await store.dropUnmatched(Date.now() + 2 * 86400_000, 100)).toBe(1);
  });

  it('replays only events received since replaySince', async () => {
    const ref = object('since.txt');
    await apply(event(ref, 'initiated'));
    const { id } = await store.register({
      spec: spec([ref]),
      initial: requested(1),
      replaySince: Date.now() + 1000,
      firstDueAt: Date.now(),
    });
    expect((await store.get(id))?.status).toBe('requested');
  });

  it('derives a several-object request: initiated at the first, completed when all are ready', async () => {
    const refs = [object('a'), object('b'), object('c')];
    const { id } = await store.register({
      spec: spec(refs),
      initial: requested(3),
      replaySince: 0,
      firstDueAt: Date.now(),
    });
    expect((await apply(event(refs[0]!, 'initiated'))).outcomes[0]?.pending).toEqual(['initiated']);
    await store.markQueued(id, ['initiated']);
    for (const ref of refs.slice(0, 2))
      expect((await apply(event(ref, 'completed'))).outcomes[0]?.pending).toEqual([]);
    expect((await store.get(id))?.status).toBe('initiated');
    expect((await apply(event(refs[2]!, 'completed'))).outcomes[0]?.pending).toEqual(['completed']);
    const stored = await store.get(id);
    expect(stored?.status).toBe('completed');
    expect(stored?.objectStates.map((o) => o.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await redis.zscore(keys.remind, id)).not.toBeNull();
  });

  it('completes an Intelligent-Tiering request for good (no expiry) and finishes it', async () => {
    const { id } = await registerOne();
    await apply(
      event(object(), 'completed', { restoreExpiryTime: undefined, storageClass: 'INTELLIGENT_TIERING' }),
    );
    expect((await store.get(id))?.status).toBe('completed');
    expect(await redis.pttl(keys.request(id))).toBeLessThanOrEqual(30 * 86400_000);
    expect(await redis.zscore(keys.remind, id)).toBeNull();
  });

  it('stores a request only once per Idempotency-Key', async () => {
    const first = await store.register({
      spec: spec([object()]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotencyKey: 'abc',
    });
    const second = await store.register({
      spec: spec([object()]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotencyKey: 'abc',
    });
    expect(second).toEqual({ outcome: 'exists', id: first.id, pending: [] });
    expect(await store.listIdsByObject('archive', object().key)).toEqual([first.id]);
  });

  it('cancels: pending notifications stop, later events send nothing', async () => {
    const { id } = await registerOne();
    await apply(event(object(), 'initiated'));
    expect(await store.cancel(id)).toBe(true);
    const after = await apply(event(object(), 'completed'));
    expect(after.outcomes[0]?.pending).toEqual([]);
    const stored = await store.get(id);
    expect(stored?.cancelledAt).not.toBeNull();
    expect(stored?.notifications).toEqual([
      expect.objectContaining({ kind: 'initiated', state: 'cancelled' }),
    ]);
    expect(await store.cancel('r_missing')).toBe(false);
  });
});
