import type { ObjectRef } from '../../src/domain/object-ref';
import type { RestoreEvent } from '../../src/domain/types';
import { createRedisKeys } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { createRequestRegistrar } from '../../src/register/request-registrar';
import type { S3Restorer } from '../../src/restore/s3-restorer';
import { restoreEventJobId } from '../../src/queue/event-producer';
import { event, requested, spec, useTestStore } from '../helpers/store';

/**
 * An old SNS message replayed after its dedupe key expired (SNS_MAX_AGE_SECONDS longer than
 * EVENT_DEDUPE_TTL_SECONDS, or 0) reaches correlation as a new event. It tells of an earlier
 * restore of the object: it must not move a request whose restore thaw started after it.
 */
const world = useTestStore('correlation-replay');
const keys = createRedisKeys(world.prefix);
const HOUR = 3600_000;

/** S3 as thaw sees it when it starts a restore: archived, not restoring, RestoreObject 202. */
const startingS3: S3Restorer = {
  head: () => Promise.resolve({ storageClass: 'GLACIER', archiveStatus: null, restore: null, size: 10 }),
  restore: () => Promise.resolve('started'),
};

const registrar = () =>
  createRequestRegistrar({
    store: world.store,
    restorer: startingS3,
    queueNotifications: () => Promise.resolve(),
    logger: createLogger({ level: 'silent' }),
    s3Concurrency: 4,
    startGraceMs: 15 * 60_000,
    overdueMarginMs: HOUR,
    expiryCheckMs: HOUR,
  });

const object = (key: string): ObjectRef => ({ bucket: 'archive', key, versionId: null });
const at = (ms: number) => new Date(ms).toISOString();

async function apply(ev: RestoreEvent, receivedAt = Date.now()) {
  return world.store.applyEvent(ev, restoreEventJobId(ev), { receivedAt });
}

describe('an old event replayed after the request was created', () => {
  it.each(['initiated', 'completed', 'expired'] as const)(
    'an old %s event does not move a request thaw started itself',
    async (kind) => {
      const ref = object(`started-${kind}.bin`);
      const { request } = await registrar()(spec([ref], { initiate: true }));
      expect(request.status).toBe('requested');
      const replayed = await apply(
        event(ref, kind, {
          eventTime: at(Date.now() - 2 * HOUR),
          ...(kind === 'completed' ? { restoreExpiryTime: at(Date.now() + 5 * 86400_000) } : {}),
        }),
      );
      expect(replayed.outcomes).toEqual([{ requestId: request.id, effect: 'late', pending: [] }]);
      const stored = await world.store.get(request.id);
      expect(stored?.status).toBe('requested');
      expect(stored?.notifications).toEqual([]);
      // The restore thaw started reports in as usual afterwards.
      await apply(event(ref, 'initiated', { eventTime: at(Date.now()) }));
      const done = await apply(
        event(ref, 'completed', { eventTime: at(Date.now()), restoreExpiryTime: at(Date.now() + 86400_000) }),
      );
      expect(done.outcomes[0]).toMatchObject({ effect: 'applied', pending: ['initiated', 'completed'] });
    },
  );

  it('an old event that arrived just before the request is not replayed into it', async () => {
    const ref = object('just-before.bin');
    await apply(
      event(ref, 'completed', {
        eventTime: at(Date.now() - 2 * HOUR),
        restoreExpiryTime: at(Date.now() + 86400_000),
      }),
      Date.now() - 5_000,
    );
    const { request } = await registrar()(spec([ref], { initiate: true }));
    expect(request.status).toBe('requested');
    expect(request.notifications).toEqual([]);
  });

  it('a request that only records interest still takes an older event (a restore started elsewhere)', async () => {
    const ref = object('interest.bin');
    const { request } = await registrar()(spec([ref], { initiate: false }));
    await apply(event(ref, 'initiated', { eventTime: at(Date.now() - 2 * HOUR) }));
    expect((await world.store.get(request.id))?.status).toBe('initiated');
  });

  it('a request stored without a start time (by the previous version) takes every event, as it did', async () => {
    const ref = object('stored-before.bin');
    const { id } = await world.store.register({
      spec: spec([ref], { initiate: true }),
      initial: requested(1),
      replaySince: Date.now() - 60_000,
      firstDueAt: Date.now() + HOUR,
    });
    await world.redis.hdel(keys.request(id), 'since');
    await apply(event(ref, 'initiated', { eventTime: at(Date.now() - 2 * HOUR) }));
    expect((await world.store.get(id))?.status).toBe('initiated');
  });
});
