import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { queuePrefix } from '../../src/keys';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { HEAD, HeadObjectCommand, RestoreObjectCommand, mockS3, s3Error } from '../helpers/s3-mock';
import type { S3Mock } from '../helpers/s3-mock';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

const prefix = uniquePrefix('restores-api');
const TOKEN = 'test-token-0123456789abcdef';
let world: SnsWorld;
let thaw: TestThaw;
let redis: Redis;
let notifications: Queue;
let s3: S3Mock;

beforeAll(async () => {
  s3 = mockS3();
  world = await startSnsWorld();
  redis = testRedis();
  thaw = await startTestThaw(prefix, { ...world.env, THAW_ROLE: 'api' });
  notifications = new Queue(QUEUE_NAMES.notifications, {
    connection: redis,
    prefix: queuePrefix(prefix, QUEUE_NAMES.notifications),
  });
});
afterAll(async () => {
  await thaw.stop();
  await notifications.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await world.close();
  s3.restore();
});
beforeEach(() => {
  s3.reset();
});

const recipient = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  locale: 'en-GB',
  timeZone: 'Europe/London',
};

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await thaw.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  // Response bodies are checked field by field below; their shape is the API's own.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

const post = (body: unknown, headers?: Record<string, string>) => call('POST', '/v1/restores', body, headers);
const interestOnly = (fields: Record<string, unknown> = {}) => ({
  bucket: 'archive-bucket',
  key: 'reports/2019.pdf',
  initiate: false,
  recipient,
  ...fields,
});

async function notificationJobIds(): Promise<string[]> {
  const jobs = await notifications.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.map((job) => job.id ?? '').sort();
}

describe('authentication', () => {
  it.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('answers 401 with %s', async (_name, headers) => {
    const response = await thaw.app.inject({ method: 'GET', url: '/v1/restores/r_x', headers });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });
});

describe('POST /v1/restores validation', () => {
  it.each([
    ['no recipient', { bucket: 'archive-bucket', key: 'k' }],
    ['a bad email', interestOnly({ recipient: { email: 'not-an-address' } })],
    ['an upper-case bucket', interestOnly({ bucket: 'Archive' })],
    ['a too short bucket', interestOnly({ bucket: 'ab' })],
    ['an IP bucket', interestOnly({ bucket: '192.168.1.1' })],
    ['adjacent dots', interestOnly({ bucket: 'a..b' })],
    ['an empty key', interestOnly({ key: '' })],
    ['a key over 1024 bytes', interestOnly({ key: 'é'.repeat(513) })],
    ['an unknown tier', interestOnly({ tier: 'Fast' })],
    ['days 0', interestOnly({ days: 0 })],
    ['days 366', interestOnly({ days: 366 })],
    ['a bad locale', interestOnly({ recipient: { ...recipient, locale: 'english' } })],
    ['a bad time zone', interestOnly({ recipient: { ...recipient, timeZone: 'Mars/Olympus' } })],
    ['both forms', interestOnly({ objects: [{ bucket: 'archive-bucket', key: 'a' }] })],
    ['neither form', { recipient, initiate: false }],
    ['a key without bucket', { key: 'k', recipient }],
    ['an empty object list', { objects: [], recipient }],
    [
      '1001 objects',
      {
        objects: Array.from({ length: 1001 }, (_, i) => ({ bucket: 'archive-bucket', key: `k${i}` })),
        recipient,
      },
    ],
    [
      'the same object twice',
      {
        objects: [
          { bucket: 'archive-bucket', key: 'a' },
          { bucket: 'archive-bucket', key: 'a' },
        ],
        recipient,
      },
    ],
    ['an unknown field', interestOnly({ colour: 'blue' })],
    [
      'a name with a newline',
      interestOnly({ recipient: { ...recipient, name: 'Eve\r\nBcc: x@evil.example' } }),
    ],
  ])('answers 400 to %s', async (_name, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_body');
    expect(answer.body.error.message.length).toBeGreaterThan(5);
  });

  it('accepts a 1024-byte key and 1000 objects', async () => {
    expect((await post(interestOnly({ key: 'é'.repeat(512) }))).status).toBe(201);
    const objects = Array.from({ length: 1000 }, (_, i) => ({
      bucket: 'archive-bucket',
      key: `batch/${i}.bin`,
    }));
    const answer = await post({ objects, recipient, initiate: false });
    expect(answer.status).toBe(201);
    expect(answer.body.objects).toHaveLength(1000);
  });
});

describe('registering interest only (initiate: false)', () => {
  it('stores the request and shows it in the contract shape', async () => {
    const created = await post(interestOnly({ versionId: 'v1', tier: 'Bulk', days: 3 }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^r_/),
      bucket: 'archive-bucket',
      key: 'reports/2019.pdf',
      versionId: 'v1',
      tier: 'Bulk',
      days: 3,
      status: 'requested',
      recipient,
      events: [],
      notifications: [],
    });
    expect(created.body).not.toHaveProperty('objects');
    expect(s3.calls()).toHaveLength(0);
    const read = await call('GET', `/v1/restores/${created.body.id}`);
    expect(read).toEqual({ status: 200, body: created.body });
  });

  it('lists the requests on one object', async () => {
    const a = await post(interestOnly({ key: 'listed.txt' }));
    const b = await post(interestOnly({ key: 'listed.txt', versionId: 'v9' }));
    await post(interestOnly({ key: 'other.txt' }));
    const all = await call('GET', '/v1/restores?bucket=archive-bucket&key=listed.txt');
    expect(all.body.restores.map((r: { id: string }) => r.id).sort()).toEqual([a.body.id, b.body.id].sort());
    const v1 = await call('GET', '/v1/restores?bucket=archive-bucket&key=listed.txt&versionId=v1');
    expect(v1.body.restores.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
  });

  it('answers 404 for an unknown id, and stops notifications on DELETE', async () => {
    expect((await call('GET', '/v1/restores/r_nothing')).status).toBe(404);
    const created = await post(interestOnly({ key: 'cancel.txt' }));
    const cancelled = await call('DELETE', `/v1/restores/${created.body.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelledAt).toEqual(expect.any(String));
    expect((await call('DELETE', '/v1/restores/r_nothing')).status).toBe(404);
  });

  it('returns the first request again for a repeated Idempotency-Key', async () => {
    const first = await post(interestOnly({ key: 'idem.txt' }), { 'idempotency-key': 'order-42' });
    const again = await post(interestOnly({ key: 'idem.txt' }), { 'idempotency-key': 'order-42' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });
});

describe('starting restores (initiate: true)', () => {
  const body = (fields: Record<string, unknown> = {}) => ({
    bucket: 'archive-bucket',
    key: 'start/a.bin',
    recipient,
    days: 5,
    ...fields,
  });

  it('sends HeadObject then RestoreObject with tier and days, and waits for S3', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(RestoreObjectCommand)
      .resolves({ $metadata: { httpStatusCode: 202 } });
    const answer = await post(body({ key: 'start/started.bin', versionId: 'v7', tier: 'Bulk' }));
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('requested');
    expect(s3.commandCalls(RestoreObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'archive-bucket',
      Key: 'start/started.bin',
      VersionId: 'v7',
      RestoreRequest: { Days: 5, GlacierJobParameters: { Tier: 'Bulk' } },
    });
  });

  it('joins a restore already in progress and tells the recipient it started', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(RestoreObjectCommand)
      .rejects(s3Error('RestoreAlreadyInProgress', 409));
    const answer = await post(body({ key: 'start/joined.bin' }));
    expect(answer.body.status).toBe('initiated');
    expect(answer.body.expectedBy).toEqual(expect.any(String));
    expect(await notificationJobIds()).toContain(`${answer.body.id}-initiated`);
  });

  it('marks an object that is not archived completed at once and queues the email', async () => {
    s3.on(HeadObjectCommand).resolves(HEAD.standard);
    const answer = await post(body({ key: 'start/standard.bin' }));
    expect(answer.body.status).toBe('completed');
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(0);
    expect(await notificationJobIds()).toContain(`${answer.body.id}-completed`);
  });

  it('treats ObjectAlreadyInActiveTierError as downloadable now', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(RestoreObjectCommand)
      .rejects(s3Error('ObjectAlreadyInActiveTierError', 403));
    expect((await post(body({ key: 'start/active.bin' }))).body.status).toBe('completed');
  });

  it('uses the expiry of a copy that is already restored', async () => {
    const expiry = new Date(Date.now() + 3 * 86400_000);
    expiry.setUTCHours(0, 0, 0, 0);
    s3.on(HeadObjectCommand).resolves(HEAD.restored(expiry.toISOString()));
    const answer = await post(body({ key: 'start/restored.bin' }));
    expect(answer.body).toMatchObject({ status: 'completed', restoreExpiryTime: expiry.toISOString() });
  });

  it('sends no Days for an Intelligent-Tiering archive object', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.intelligentArchive)
      .on(RestoreObjectCommand)
      .resolves({ $metadata: { httpStatusCode: 202 } });
    await post(body({ key: 'start/it.bin', tier: 'Standard' }));
    expect(s3.commandCalls(RestoreObjectCommand)[0]?.args[0].input.RestoreRequest).toEqual({
      GlacierJobParameters: { Tier: 'Standard' },
    });
  });

  it('falls back to Standard when Expedited is unavailable and the request allows it', async () => {
    s3.on(HeadObjectCommand).resolves(HEAD.glacier);
    s3.on(RestoreObjectCommand, {
      RestoreRequest: { Days: 5, GlacierJobParameters: { Tier: 'Expedited' } },
    }).rejects(s3Error('GlacierExpeditedRetrievalNotAvailable', 503));
    s3.on(RestoreObjectCommand, {
      RestoreRequest: { Days: 5, GlacierJobParameters: { Tier: 'Standard' } },
    }).resolves({
      $metadata: { httpStatusCode: 202 },
    });
    const answer = await post(
      body({ key: 'start/fallback.bin', tier: 'Expedited', fallbackTier: 'Standard' }),
    );
    expect(answer.status).toBe(201);
    const tiers = s3
      .commandCalls(RestoreObjectCommand)
      .map((c) => c.args[0].input.RestoreRequest?.GlacierJobParameters?.Tier);
    expect(tiers.at(-1)).toBe('Standard');
    expect(tiers.filter((tier) => tier === 'Expedited').length).toBeGreaterThanOrEqual(2);
  });

  it('answers 503 and stores nothing when Expedited is unavailable without a fallback', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(RestoreObjectCommand)
      .rejects(s3Error('GlacierExpeditedRetrievalNotAvailable', 503));
    const answer = await post(body({ key: 'start/no-fallback.bin', tier: 'Expedited' }));
    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'glacier_expedited_unavailable' } } });
    expect(
      (await call('GET', '/v1/restores?bucket=archive-bucket&key=start/no-fallback.bin')).body.restores,
    ).toEqual([]);
  });

  it.each([
    [
      'an unknown object',
      () => new NoSuchKey({ message: 'no such key', $metadata: { httpStatusCode: 404 } }),
      404,
      's3_not_found',
    ],
    ['a forbidden object', () => s3Error('AccessDenied', 403), 403, 's3_access_denied'],
  ])('answers %s with the S3 status and stores nothing', async (_name, error, status, code) => {
    s3.on(HeadObjectCommand).rejects(error());
    const answer = await post(body({ key: `start/${code}.bin` }));
    expect(answer).toMatchObject({ status, body: { error: { code } } });
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(0);
    expect(
      (await call('GET', `/v1/restores?bucket=archive-bucket&key=start/${code}.bin`)).body.restores,
    ).toEqual([]);
  });

  it('checks every object before restoring any of a several-object request', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(HeadObjectCommand, { Key: 'set/missing.bin' })
      .rejects(s3Error('NotFound', 404));
    const objects = ['set/a.bin', 'set/missing.bin', 'set/c.bin'].map((key) => ({
      bucket: 'archive-bucket',
      key,
    }));
    expect((await post({ objects, recipient })).status).toBe(404);
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(0);
  });
});

describe('API description', () => {
  it('serves OpenAPI 3 for /v1 and a browsable page', async () => {
    const spec = (await thaw.app.inject({ url: '/openapi.json' })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths).sort()).toEqual(['/v1/restores', '/v1/restores/{id}']);
    expect(JSON.stringify(spec.paths['/v1/restores'])).toContain('recipient');
    const docs = await thaw.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});
