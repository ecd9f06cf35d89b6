import type { Redis } from 'ioredis';
import type { ObjectRef } from '../../src/domain/object-ref';
import type { RestoreRequestSpec } from '../../src/domain/restore-request';
import type { RestoreEvent } from '../../src/domain/types';
import { createRestoreStore } from '../../src/correlate/restore-store';
import type { InitialObjectState, RestoreStore, StoreTuning } from '../../src/correlate/restore-store';
import { createRedisKeys } from '../../src/keys';
import { deletePrefix, testRedis, uniquePrefix } from './redis';

export const TEST_TUNING: StoreTuning = {
  retentionMs: 30 * 86400_000,
  overdueMarginMs: 3600_000,
  expiryCheckMs: 6 * 3600_000,
  reminderLeadMs: 86400_000,
  earlyWindowMs: 86400_000,
  idempotencyTtlMs: 86400_000,
  historyCap: 3000,
};

export function testStore(redis: Redis, prefix: string, tuning: Partial<StoreTuning> = {}): RestoreStore {
  return createRestoreStore(redis, createRedisKeys(prefix), { ...TEST_TUNING, ...tuning });
}

export function spec(objects: ObjectRef[], overrides: Partial<RestoreRequestSpec> = {}): RestoreRequestSpec {
  return {
    objects,
    single: objects.length === 1,
    tier: 'Standard',
    days: 7,
    initiate: false,
    fallbackTier: null,
    recipient: { email: 'ada@example.com', name: 'Ada', locale: 'en', timeZone: 'UTC' },
    remindBeforeExpiry: true,
    ...overrides,
  };
}

export function requested(count: number, window = 12 * 3600_000): InitialObjectState[] {
  return Array.from({ length: count }, () => ({ status: 'requested' as const, expectedDurationMs: window }));
}

let sequence = 0;

/** A restore event with a fresh, increasing sequencer unless one is given. */
export function event(
  object: ObjectRef,
  kind: RestoreEvent['kind'],
  overrides: Partial<RestoreEvent> = {},
): RestoreEvent {
  sequence += 1;
  return {
    kind,
    bucket: object.bucket,
    key: object.key,
    versionId: object.versionId,
    eventTime: new Date(Date.UTC(2026, 10, 26, 10, 0, sequence)).toISOString(),
    sequencer: `00638792A45B${String(sequence).padStart(6, '0')}`,
    source: 's3',
    ...(kind === 'completed'
      ? { restoreExpiryTime: '2026-12-04T00:00:00.000Z', storageClass: 'GLACIER' }
      : {}),
    ...overrides,
  };
}

export interface TestStoreWorld {
  readonly prefix: string;
  /** Set in beforeAll. */
  redis: Redis;
  /** Set in beforeAll. */
  store: RestoreStore;
}

/**
 * A store under a prefix of the calling test file's own, with the hooks every store test needs:
 * connect before all, empty the prefix after each test, and empty it and disconnect after all.
 */
export function useTestStore(file: string, tuning: Partial<StoreTuning> = {}): TestStoreWorld {
  const world = { prefix: uniquePrefix(file) } as TestStoreWorld;
  beforeAll(() => {
    world.redis = testRedis();
    world.store = testStore(world.redis, world.prefix, tuning);
  });
  afterEach(async () => {
    await deletePrefix(world.redis, world.prefix);
  });
  afterAll(async () => {
    await deletePrefix(world.redis, world.prefix);
    await world.redis.quit();
  });
  return world;
}
