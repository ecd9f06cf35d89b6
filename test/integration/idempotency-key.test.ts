import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisKeys } from '../../src/keys';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { HEAD, HeadObjectCommand, RestoreObjectCommand, mockS3, s3Error } from '../helpers/s3-mock';
import type { S3Mock } from '../helpers/s3-mock';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * `Idempotency-Key` of POST /v1/restores: the key is looked up before S3 is asked anything, bound
 * to the body it came with, and claimed atomically by the first of two concurrent uses.
 */
const prefix = uniquePrefix('idempotency-key');
const keys = createRedisKeys(prefix);
const TOKEN = 'test-token-0123456789abcdef';
let world: SnsWorld;
let thaw: TestThaw;
let redis: Redis;
let s3: S3Mock;

beforeAll(async () => {
  s3 = mockS3();
  world = await startSnsWorld();
  redis = testRedis();
  thaw = await startTestThaw(prefix, { ...world.env, THAW_ROLE: 'api' });
});
afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await world.close();
  s3.restore();
});
beforeEach(() => {
  s3.reset();
  s3.on(HeadObjectCommand)
    .resolves(HEAD.glacier)
    .on(RestoreObjectCommand)
    .resolves({ $metadata: { httpStatusCode: 202 } });
});

const recipient = { email: 'ada@example.com', locale: 'en', timeZone: 'UTC' };
const body = (key: string, fields: Record<string, unknown> = {}) => ({
  bucket: 'archive-bucket',
  key,
  recipient,
  ...fields,
});

async function post(payload: unknown, idempotencyKey?: string) {
  const response = await thaw.app.inject({
    method: 'POST',
    url: '/v1/restores',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    },
    payload: payload as object,
  });
  // The answer's shape is the API's own, checked field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

const s3Calls = () =>
  s3.commandCalls(HeadObjectCommand).length + s3.commandCalls(RestoreObjectCommand).length;

describe('Idempotency-Key of POST /v1/restores', () => {
  it('answers a repeat with the first request and asks S3 nothing', async () => {
    const first = await post(body('idem/repeat.bin'), 'repeat-1');
    expect(first.status).toBe(201);
    expect(s3Calls()).toBe(2);
    s3.resetHistory();
    const again = await post(body('idem/repeat.bin'), 'repeat-1');
    expect(again).toEqual({ status: 200, body: first.body });
    expect(s3Calls()).toBe(0);
  });

  it('answers a repeat with the stored request even while S3 would refuse', async () => {
    const first = await post(body('idem/s3-down.bin'), 'repeat-2');
    s3.reset();
    s3.on(HeadObjectCommand).rejects(s3Error('ServiceUnavailable', 503));
    const again = await post(body('idem/s3-down.bin'), 'repeat-2');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('takes the body as validated: defaults written out are the same body', async () => {
    const first = await post(body('idem/defaults.bin'), 'defaults-1');
    const spelled = await post(
      body('idem/defaults.bin', { tier: 'Standard', days: 7, initiate: true, remindBeforeExpiry: true }),
      'defaults-1',
    );
    expect(spelled.status).toBe(200);
    expect(spelled.body.id).toBe(first.body.id);
  });

  it('answers 422 idempotency_key_reused to the same key with another body', async () => {
    const first = await post(body('idem/first.bin'), 'reused-1');
    expect(first.status).toBe(201);
    s3.resetHistory();
    const other = await post(body('idem/other.bin'), 'reused-1');
    expect(other).toEqual({
      status: 422,
      body: { error: { code: 'idempotency_key_reused', message: expect.any(String) } },
    });
    expect(s3Calls()).toBe(0);
  });

  it('lets one of two concurrent first uses create; the other gets 409 and S3 is asked once', async () => {
    s3.reset();
    s3.on(HeadObjectCommand)
      .callsFake(async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return HEAD.glacier;
      })
      .on(RestoreObjectCommand)
      .resolves({ $metadata: { httpStatusCode: 202 } });
    const answers = await Promise.all([
      post(body('idem/race.bin'), 'race-1'),
      post(body('idem/race.bin'), 'race-1'),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    const busy = answers.find((answer) => answer.status === 409)!;
    expect(busy.body.error.code).toBe('idempotency_key_in_use');
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(1);
    // Once the first finished, a retry gets its request.
    const created = answers.find((answer) => answer.status === 201)!;
    const retry = await post(body('idem/race.bin'), 'race-1');
    expect(retry).toEqual({ status: 200, body: created.body });
  });

  it('frees the key when the first use failed, so a retry is served at once', async () => {
    s3.reset();
    s3.on(HeadObjectCommand).rejects(s3Error('ServiceUnavailable', 503));
    expect((await post(body('idem/failed-first.bin'), 'failed-1')).status).toBe(503);
    s3.reset();
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(RestoreObjectCommand)
      .resolves({ $metadata: { httpStatusCode: 202 } });
    expect((await post(body('idem/failed-first.bin'), 'failed-1')).status).toBe(201);
  });

  it('stores a hash of the key, bound to the body, never the key itself', async () => {
    const key = 'order-4711 (customer supplied)';
    await post(body('idem/stored.bin'), key);
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    expect(await redis.exists(keys.legacyIdempotency(key))).toBe(0);
    const record = JSON.parse((await redis.get(keys.idempotency(hash))) ?? 'null') as Record<string, unknown>;
    expect(record).toMatchObject({ v: 2, s: 'done', id: expect.stringMatching(/^r_/) });
    expect(record.fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await redis.pttl(keys.idempotency(hash))).toBeGreaterThan(23 * 3600_000);
  });

  it('still answers a record written before the upgrade (raw key → id): 200, no S3 call', async () => {
    const first = await post(body('idem/legacy.bin'));
    expect(first.status).toBe(201);
    // What the previous version stored: the key as it came, naming the request id, no body.
    await redis.set(keys.legacyIdempotency('legacy key 1'), first.body.id, 'PX', 3600_000);
    s3.resetHistory();
    // No fingerprint was recorded, so any body is taken as the same one.
    const again = await post(body('idem/legacy-other.bin'), 'legacy key 1');
    expect(again).toEqual({ status: 200, body: first.body });
    expect(s3Calls()).toBe(0);
  });

  it('creates a new request when the one a record names is gone (retention shorter than the key)', async () => {
    const first = await post(body('idem/gone.bin'), 'gone-1');
    await redis.del(keys.request(first.body.id), keys.requestSpec(first.body.id));
    const again = await post(body('idem/gone.bin'), 'gone-1');
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
  });
});
