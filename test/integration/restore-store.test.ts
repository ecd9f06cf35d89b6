import { Redis } from 'ioredis';
import type { ObjectRef } from '../../src/domain/object-ref';
import { restoreEventJobId } from '../../src/queue/event-producer';
import { idempotencyKeyHash } from '../../src/correlate/idempotency-records';
import { isRequestId, newRequestId } from '../../src/correlate/request-id';
import type { RestoreStore } from '../../src/correlate/restore-store';
import { createRedisKeys } from '../../src/keys';
import { TEST_REDIS_URL, deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
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

  it('indexes and replays every object when one object comes twice (two versions, one index)', async () => {
    const refs = [object('twice', 'v1'), object('once'), object('twice', 'v2')];
    await apply(event(refs[0]!, 'initiated'));
    await apply(event(refs[1]!, 'initiated'));
    const { id } = await store.register({
      spec: spec(refs),
      initial: requested(3),
      replaySince: 0,
      firstDueAt: Date.now(),
    });
    const stored = await store.get(id);
    expect(stored?.objectStates.map((o) => o.status)).toEqual(['initiated', 'initiated', 'requested']);
    expect((await redis.zrange(keys.objectIndex('archive', 'twice'), 0, -1)).sort()).toEqual(
      [`${id}|0|v1`, `${id}|2|v2`].sort(),
    );
    expect(await redis.zrange(keys.objectIndex('archive', 'once'), 0, -1)).toEqual([`${id}|1|*`]);
    // Finishing lets the object indexes (found in the spec, at run time) expire.
    expect(await store.cancel(id)).toBe(true);
    expect(await redis.pttl(keys.objectIndex('archive', 'twice'))).toBeGreaterThan(0);
    expect(await redis.pttl(keys.objectIndex('archive', 'once'))).toBeGreaterThan(0);
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
      idempotency: { key: 'abc', fingerprint: 'body-1' },
    });
    const second = await store.register({
      spec: spec([object()]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotency: { key: 'abc', fingerprint: 'body-1' },
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

describe('identifiers that thaw never issued', () => {
  it('isRequestId admits what newRequestId makes and nothing that names another key', () => {
    for (let i = 0; i < 100; i += 1) expect(isRequestId(newRequestId())).toBe(true);
    for (const bad of ['', 'r_', 'x_abc', 'r_abc:spec', 'r_abc:ev', 'r_a b', `r_${'a'.repeat(65)}`, 'r_*']) {
      expect(isRequestId(bad)).toBe(false);
    }
  });

  it('answers get and cancel of a key-shaped id (r_<id>:spec) as unknown, not with WRONGTYPE', async () => {
    const { id } = await registerOne();
    await expect(store.cancel(`${id}:spec`)).resolves.toBe(false);
    await expect(store.get(`${id}:spec`)).resolves.toBeNull();
    expect((await store.get(id))?.cancelledAt).toBeNull();
  });

  it('does not touch Redis for an id of the wrong shape', async () => {
    // A connection that is never opened: any command would be refused.
    const offline = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    const guarded = testStore(offline, prefix);
    await expect(guarded.get('r_abc:spec')).resolves.toBeNull();
    await expect(guarded.cancel('r_abc:spec')).resolves.toBe(false);
    await expect(guarded.get('../etc')).resolves.toBeNull();
    offline.disconnect();
  });
});

describe('Idempotency-Key records', () => {
  const use = { key: 'client-key-1', fingerprint: 'a'.repeat(64) };
  const hashed = () => keys.idempotency(idempotencyKeyHash(use.key));

  it('claims a new key for a short while, and tells a second use apart by its body', async () => {
    const claim = await store.claimIdempotency(use);
    expect(claim).toEqual({ outcome: 'claimed', token: expect.any(String) });
    const ttl = await redis.pttl(hashed());
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(await store.claimIdempotency(use)).toEqual({ outcome: 'in-use' });
    expect(await store.claimIdempotency({ ...use, fingerprint: 'b'.repeat(64) })).toEqual({
      outcome: 'reused',
    });
  });

  it('binds the key to the request once stored, for the key TTL', async () => {
    await store.claimIdempotency(use);
    const { id } = await store.register({
      spec: spec([object()]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotency: use,
    });
    expect(await store.claimIdempotency(use)).toEqual({ outcome: 'exists', id });
    expect(await store.claimIdempotency({ ...use, fingerprint: 'b'.repeat(64) })).toEqual({
      outcome: 'reused',
    });
    expect(await redis.pttl(hashed())).toBeGreaterThan(86400_000 - 60_000);
  });

  it('releases only its own claim', async () => {
    const first = await store.claimIdempotency(use);
    await store.releaseIdempotency(use, 'someone-elses-token');
    expect(await store.claimIdempotency(use)).toEqual({ outcome: 'in-use' });
    await store.releaseIdempotency(use, first.outcome === 'claimed' ? first.token : '');
    expect((await store.claimIdempotency(use)).outcome).toBe('claimed');
  });

  it('keeps the first request when a claim ran out while S3 was slow and another use finished', async () => {
    await store.claimIdempotency(use);
    await redis.del(hashed()); // the claim's TTL passed
    await store.claimIdempotency(use);
    const other = await store.register({
      spec: spec([object()]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotency: use,
    });
    const late = await store.register({
      spec: spec([object()]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotency: use,
    });
    expect(late).toEqual({ outcome: 'exists', id: other.id, pending: [] });
  });

  it('takes a record of the version before (the key itself → id) as the same body', async () => {
    const { id } = await registerOne();
    await redis.set(keys.legacyIdempotency(use.key), id, 'PX', 60_000);
    expect(await store.claimIdempotency({ ...use, fingerprint: 'c'.repeat(64) })).toEqual({
      outcome: 'exists',
      id,
    });
  });

  it('does not take a version-2 record for a key of the version before', async () => {
    // A client whose key is the hash of another client's key finds that record at the old place.
    await store.claimIdempotency(use);
    await store.register({
      spec: spec([object('x')]),
      initial: requested(1),
      replaySince: 0,
      firstDueAt: 0,
      idempotency: use,
    });
    const lookalike = { key: idempotencyKeyHash(use.key), fingerprint: 'd'.repeat(64) };
    expect((await store.claimIdempotency(lookalike)).outcome).toBe('claimed');
  });
});
