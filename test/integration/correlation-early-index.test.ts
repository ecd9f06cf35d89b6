import type { Redis } from 'ioredis';
import type { RestoreStore } from '../../src/correlate/restore-store';
import { createRedisKeys } from '../../src/keys';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { event, testStore } from '../helpers/store';

/**
 * Restores started outside thaw (S3 Batch Operations over a whole bucket) send events no request
 * waits for. Each one enters the early-event index; the index must stay bounded by what the
 * early-event window holds however fast they come, not by how often the reconciler runs.
 */
const prefix = uniquePrefix('correlation-early-index');
const keys = createRedisKeys(prefix);
const WINDOW_MS = 250;
const EVENTS = 50_000;
const BATCH = 1000;
let redis: Redis;
let store: RestoreStore;

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix, { earlyWindowMs: WINDOW_MS });
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

async function countKeys(pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    count += found.length;
  } while (cursor !== '0');
  return count;
}

describe('the early-event index under a flood of unmatched events', () => {
  it(`holds no more than the window's events after ${EVENTS} unmatched ones`, async () => {
    const finishedAt: number[] = [];
    let lastBatchStart = 0;
    let unmatchedDropped = 0;
    for (let start = 0; start < EVENTS; start += BATCH) {
      lastBatchStart = Date.now();
      const results = await Promise.all(
        Array.from({ length: BATCH }, async (_, offset) => {
          // A distinct object each time: the worst case, one early list per event.
          const ev = event(
            { bucket: 'batch-ops', key: `all/${start + offset}.bin`, versionId: null },
            'completed',
          );
          const result = await store.applyEvent(ev, `ev-${start + offset}`);
          finishedAt.push(Date.now());
          return result;
        }),
      );
      for (const result of results) {
        expect(result.matched).toBe(0);
        unmatchedDropped += result.unmatchedDropped;
      }
    }
    // Every event still indexed was added by a step that ran at most one window before the last
    // batch started (the last batch's own steps trimmed everything older), so it finished after that.
    const bound = finishedAt.filter((at) => at > lastBatchStart - WINDOW_MS).length;
    const indexed = await redis.zcard(keys.earlyIndex);
    expect(indexed).toBeLessThanOrEqual(bound);
    expect(indexed).toBeLessThan(EVENTS / 4);
    // An early list expires with its window (Redis hides expired keys from SCAN).
    expect(await countKeys(`${keys.earlyEvents('*')}`)).toBeLessThanOrEqual(bound);
    // Trimmed events are still counted as unmatched (thaw_events_unmatched_total), once each.
    expect(unmatchedDropped + indexed).toBe(EVENTS);
    expect(await store.dropUnmatched(Date.now() + WINDOW_MS + 1, EVENTS)).toBe(indexed);
  }, 120_000);
});
