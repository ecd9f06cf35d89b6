import type { Redis } from 'ioredis';
import { S3Client } from '@aws-sdk/client-s3';
import { createReconciler } from '../../src/correlate/reconciler';
import type { RestoreStore } from '../../src/correlate/restore-store';
import type { NotificationKind } from '../../src/domain/restore-request';
import type { ObjectRef } from '../../src/domain/object-ref';
import { createRedisKeys } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/observability/metrics';
import { createS3SdkRestorer } from '../../src/restore/s3-sdk-restorer';
import { singleClientS3 } from '../helpers/wire-clients';
import { restoreEventJobId } from '../../src/queue/event-producer';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { HEAD, HeadObjectCommand, mockS3, s3Error } from '../helpers/s3-mock';
import type { S3Mock } from '../helpers/s3-mock';
import { event, requested, spec, testStore } from '../helpers/store';

const prefix = uniquePrefix('reconciler');
const keys = createRedisKeys(prefix);
const HOUR = 3600_000;
let redis: Redis;
let store: RestoreStore;
let s3: S3Mock;
let queued: { id: string; kinds: NotificationKind[] }[];

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix);
  s3 = mockS3();
});
beforeEach(() => {
  s3.reset();
  queued = [];
});
afterEach(async () => {
  await deletePrefix(redis, prefix);
});
afterAll(async () => {
  s3.restore();
  await redis.quit();
});

function reconciler() {
  return createReconciler({
    store,
    restorer: createS3SdkRestorer({
      s3: singleClientS3(new S3Client({ region: 'us-east-1' })),
      expeditedRetry: { attempts: 1, baseDelayMs: 1 },
    }),
    queueNotifications: async (id, kinds) => {
      if (kinds.length > 0) queued.push({ id, kinds: [...kinds] });
      await store.markQueued(id, kinds);
    },
    metrics: createMetrics({ collectDefaults: false }),
    logger: createLogger({ level: 'silent' }),
    batch: 100,
    startGraceMs: 15 * 60_000,
    overdueMarginMs: HOUR,
    expiryCheckMs: HOUR,
    recheckMs: 15 * 60_000,
  });
}

const object = (key: string): ObjectRef => ({ bucket: 'archive', key, versionId: null });

async function registerWaiting(refs: ObjectRef | ObjectRef[], window = 5 * HOUR) {
  const objects = Array.isArray(refs) ? refs : [refs];
  return store.register({
    spec: spec(objects),
    initial: requested(objects.length, window),
    replaySince: Date.now() + HOUR,
    firstDueAt: Date.now(),
  });
}

/** A request whose objects are all ready, its emails queued, its reminder scheduled. */
async function completedWithReminder(refs: ObjectRef[]) {
  const { id } = await registerWaiting(refs);
  const expiry = Date.now() + 3 * 86400_000;
  for (const ref of refs) {
    const completed = event(ref, 'completed', { restoreExpiryTime: new Date(expiry).toISOString() });
    await store.applyEvent(completed, restoreEventJobId(completed));
  }
  await store.markQueued(id, ['initiated', 'completed']);
  return { id, expiry };
}

describe('reconciliation', () => {
  it('finds a finished restore whose Completed event was lost and moves the request as the event would', async () => {
    const ref = object('lost-completed.bin');
    const { id } = await registerWaiting(ref);
    const expiry = new Date(Date.now() + 5 * 86400_000);
    expiry.setUTCHours(0, 0, 0, 0);
    s3.on(HeadObjectCommand).resolves(HEAD.restored(expiry.toISOString()));
    await reconciler().run(Date.now() + HOUR);
    const request = await store.get(id);
    expect(request).toMatchObject({
      status: 'completed',
      objectStates: [expect.objectContaining({ restoreExpiryTime: expiry.toISOString() })],
    });
    expect(request?.events).toEqual([
      expect.objectContaining({ kind: 'completed', source: 'reconcile', effect: 'applied' }),
    ]);
    expect(queued).toEqual([{ id, kinds: ['completed'] }]);
  });

  it('sends one delayed email for a restore still running past its expected time', async () => {
    const ref = object('stalled.bin');
    const { id } = await registerWaiting(ref, 5 * HOUR);
    await store.applyEvent(
      event(ref, 'initiated', { eventTime: new Date().toISOString() }),
      'ev-stalled-post',
    );
    s3.on(HeadObjectCommand).resolves(HEAD.restoring);
    await reconciler().run(Date.now() + HOUR); // not yet overdue
    expect(queued.filter((q) => q.kinds.includes('delayed'))).toEqual([]);
    await redis.zadd(keys.due, 0, id);
    await reconciler().run(Date.now() + 7 * HOUR);
    await redis.zadd(keys.due, 0, id);
    await reconciler().run(Date.now() + 8 * HOUR);
    expect(queued.filter((q) => q.kinds.includes('delayed'))).toEqual([{ id, kinds: ['delayed'] }]);
    expect((await store.get(id))?.status).toBe('initiated');
  });

  it('marks a request whose restore never started failed, with the reason, and tells the customer once', async () => {
    const ref = object('never-started.bin');
    const { id } = await registerWaiting(ref);
    s3.on(HeadObjectCommand).resolves(HEAD.glacier);
    await reconciler().run(Date.now() + HOUR);
    const request = await store.get(id);
    expect(request?.status).toBe('failed');
    expect(request?.objectStates[0]?.failureReason).toMatch(/never started/);
    expect(queued).toEqual([{ id, kinds: ['failed'] }]);
    expect(request?.notifications.map((record) => record.kind)).toEqual(['failed']);
    expect(await redis.zscore(keys.due, id)).toBeNull();
    // Looking again (a second reconciler, a redelivered schedule) decides nothing more.
    await redis.zadd(keys.due, 0, id);
    await reconciler().run(Date.now() + 2 * HOUR);
    expect(queued).toEqual([{ id, kinds: ['failed'] }]);
  });

  it('leaves a young request alone while the restore may still show up', async () => {
    const { id } = await registerWaiting(object('young.bin'));
    s3.on(HeadObjectCommand).resolves(HEAD.glacier);
    await reconciler().run(Date.now() + 60_000);
    expect((await store.get(id))?.status).toBe('requested');
  });

  it('fails a request whose object is gone', async () => {
    const { id } = await registerWaiting(object('gone.bin'));
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    await reconciler().run(Date.now() + HOUR);
    expect((await store.get(id))?.objectStates[0]?.failureReason).toMatch(/no longer exists/);
  });

  it('keeps a request for later when S3 cannot be asked', async () => {
    const { id } = await registerWaiting(object('s3-down.bin'));
    s3.on(HeadObjectCommand).rejects(s3Error('InternalError', 500));
    const now = Date.now() + HOUR;
    await reconciler().run(now);
    expect((await store.get(id))?.status).toBe('requested');
    expect(Number(await redis.zscore(keys.due, id))).toBeGreaterThan(now);
  });

  it('marks a copy expired when its expiry passed and the Delete event never came', async () => {
    const ref = object('lost-delete.bin');
    const { id } = await registerWaiting(ref);
    const expiry = new Date(Date.now() + 2 * HOUR).toISOString();
    const completed = event(ref, 'completed', { restoreExpiryTime: expiry });
    await store.applyEvent(completed, restoreEventJobId(completed));
    await store.markQueued(id, ['completed']);
    s3.on(HeadObjectCommand).resolves(HEAD.glacier);
    await reconciler().run(Date.now() + 4 * HOUR);
    expect((await store.get(id))?.status).toBe('expired');
    expect(queued).toContainEqual({ id, kinds: ['expired'] });
  });

  it('sends the expiring reminder once, a day before the copy expires', async () => {
    const ref = object('reminder.bin');
    const { id } = await registerWaiting(ref);
    const expiry = Date.now() + 3 * 86400_000;
    const completed = event(ref, 'completed', { restoreExpiryTime: new Date(expiry).toISOString() });
    await store.applyEvent(completed, restoreEventJobId(completed));
    await store.markQueued(id, ['completed']);
    expect(Number(await redis.zscore(keys.remind, id))).toBe(expiry - 86400_000);
    await reconciler().run(expiry - 2 * 86400_000);
    expect(queued).toEqual([]);
    await reconciler().run(expiry - 86400_000 + 1);
    await reconciler().run(expiry - 86400_000 + 2);
    expect(queued).toEqual([{ id, kinds: ['expiring'] }]);
  });

  it('spares the expiring reminder to a customer who downloaded every ready object', async () => {
    const refs = [object('downloaded-1.bin'), object('downloaded-2.bin')];
    const { id, expiry } = await completedWithReminder(refs);
    expect(await store.recordDownload(id, 0)).toBe(true);
    expect(await store.recordDownload(id, 0)).toBe(false); // a second click counts once
    expect(await store.recordDownload(id, 1)).toBe(true);
    await reconciler().run(expiry - 86400_000 + 1);
    expect(queued).toEqual([]);
    expect(await redis.zscore(keys.remind, id)).toBeNull();
    expect((await store.get(id))?.objectStates.map((state) => typeof state.downloadedAt)).toEqual([
      'string',
      'string',
    ]);
  });

  it('still reminds a customer who downloaded only some of the objects', async () => {
    const refs = [object('partly-1.bin'), object('partly-2.bin')];
    const { id, expiry } = await completedWithReminder(refs);
    await store.recordDownload(id, 1);
    await reconciler().run(expiry - 86400_000 + 1);
    expect(queued).toEqual([{ id, kinds: ['expiring'] }]);
  });

  it('records no download for a request that is gone', async () => {
    expect(await store.recordDownload('r_gone', 0)).toBe(false);
    expect(await redis.exists(keys.request('r_gone'))).toBe(0);
  });

  it('queues notifications that were decided but never queued (a worker died in between)', async () => {
    const ref = object('outbox.bin');
    const { id } = await registerWaiting(ref);
    const initiated = event(ref, 'initiated');
    await store.applyEvent(initiated, restoreEventJobId(initiated)); // decided, not queued
    await reconciler().run(Date.now() + 10_000);
    expect(queued).toEqual([]); // too fresh: its own worker may still be queueing it
    await reconciler().run(Date.now() + 60_000);
    expect(queued).toContainEqual({ id, kinds: ['initiated'] });
    expect((await store.get(id))?.notifications).toEqual([
      expect.objectContaining({ kind: 'initiated', state: 'queued' }),
    ]);
  });

  it('counts events nobody claimed within the window', async () => {
    const lonely = event(object('lonely.bin'), 'completed');
    await store.applyEvent(lonely, restoreEventJobId(lonely));
    const summary = await reconciler().run(Date.now() + 2 * 86400_000);
    expect(summary.unmatchedDropped).toBe(1);
  });
});
