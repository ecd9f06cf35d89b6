import { createRedisKeys } from '../../src/keys';
import { createDownloadLinks } from '../../src/notify/download-links';
import { requested, spec, useTestStore } from '../helpers/store';

/**
 * Download and page tokens are kept in the request's hash. Asking for them must never bring back
 * a request that expired (or was deleted) meanwhile as a hash without TTL, which nothing would
 * ever remove.
 */
const world = useTestStore('download-tokens');
const { prefix } = world;
const keys = createRedisKeys(prefix);

const links = () =>
  createDownloadLinks({
    redis: world.redis,
    keys,
    presign: () => Promise.resolve('https://example.invalid/presigned'),
    linkTtlSeconds: 3600,
    publicBaseUrl: 'https://restores.example.com',
    retentionMs: 86400_000,
  });

async function scanKeys(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await world.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found;
}

async function registeredThenGone() {
  const objects = [{ bucket: 'archive', key: 'gone.bin', versionId: null }];
  const { id } = await world.store.register({
    spec: spec(objects),
    initial: requested(1),
    replaySince: 0,
    firstDueAt: Date.now(),
  });
  const request = (await world.store.get(id))!;
  // Its retention ran out while an email about it was still queued.
  await world.redis.del(keys.request(id), keys.requestSpec(id), keys.requestEvents(id));
  return request;
}

describe('tokens for a request that is gone', () => {
  it('creates no request hash and no download token', async () => {
    const request = await registeredThenGone();
    const made = await links().linksFor(request, [0], Date.now());
    expect(made.urls.size).toBe(0);
    expect(await world.redis.exists(keys.request(request.id))).toBe(0);
    expect(await scanKeys(keys.downloadToken('*'))).toEqual([]);
  });

  it('creates no status page token either', async () => {
    const request = await registeredThenGone();
    expect(await links().statusPageUrl(request)).toBeUndefined();
    expect(await world.redis.exists(keys.request(request.id))).toBe(0);
    expect(await scanKeys(keys.pageToken('*'))).toEqual([]);
  });

  it('still gives a live request one token per object, reused by every email', async () => {
    const objects = [{ bucket: 'archive', key: 'live.bin', versionId: null }];
    const { id } = await world.store.register({
      spec: spec(objects),
      initial: [{ status: 'completed', expectedDurationMs: 0 }],
      replaySince: 0,
      firstDueAt: Date.now(),
    });
    const request = (await world.store.get(id))!;
    const first = await links().linksFor(request, [0], Date.now());
    const second = await links().linksFor(request, [0], Date.now());
    expect(first.urls.get(0)).toMatch(/^https:\/\/restores\.example\.com\/d\/[A-Za-z0-9_-]{32}$/);
    expect(second.urls.get(0)).toBe(first.urls.get(0));
    const token = first.urls.get(0)!.split('/').at(-1)!;
    expect(await links().resolve(token)).toEqual({ requestId: id, objectIndex: 0 });
    expect(await world.redis.pttl(keys.downloadToken(token))).toBeGreaterThan(0);
  });
});
