import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ThawError } from '../../src/errors';
import { buildApp } from '../../src/http/app';
import { createRedisKeys } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { createDownloadLinks } from '../../src/notify/download-links';
import { createMetrics } from '../../src/observability/metrics';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';

/**
 * Customer link tokens are credentials, and Redis errors quote the command they failed on
 * (ioredis puts it in `command.args`), whose key holds the token (`{<prefix>}:dl:<token>`). No log
 * line may carry one; and no 5xx answer may carry an internal error's text.
 */
const prefix = uniquePrefix('token-keys');
const keys = createRedisKeys(prefix);
const API_TOKEN = 'token-keys-api-token-0123456789';
const TOKEN = 'Xy7-secretDownloadToken_0123456789ab';
let redis: Redis;
let app: FastifyInstance;
const logged: string[] = [];

beforeAll(async () => {
  redis = testRedis();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(chunk.toString());
      done();
    },
  });
  app = await buildApp({
    logger: createLogger({ level: 'trace', destination: sink }),
    metrics: createMetrics({ collectDefaults: false }),
    snsIngest: undefined,
    snsBodyLimitBytes: 1024,
    restores: {
      apiToken: API_TOKEN,
      register: async () => {
        throw new Error('unused');
      },
      store: {
        // An internal failure whose text must stay in the log (S3's own wording, an address).
        get: async () => {
          throw new ThawError(
            's3_unavailable',
            'S3 HeadObject s3://private-bucket/payroll.xlsx failed: SlowDown (HTTP 503) at 10.1.2.3',
            { httpStatus: 503, retryable: true },
          );
        },
        listIdsByObject: async () => {
          throw new Error('ECONNREFUSED 10.9.8.7:6379 while reading {thaw}:obj:abc');
        },
        cancel: async () => false,
      },
    },
    downloads: {
      links: createDownloadLinks({
        redis,
        keys,
        presign: async () => 'https://example.com/presigned',
        linkTtlSeconds: 3600,
        publicBaseUrl: 'https://thaw.example.com',
        retentionMs: 86400_000,
      }),
      getRequest: async () => null,
      recordDownload: async () => undefined,
    },
    isReady: async () => true,
    version: '0.0.0-test',
  });
});
afterAll(async () => {
  await app.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});
beforeEach(() => {
  logged.length = 0;
});

describe('token-bearing Redis keys never reach a log line', () => {
  it('a Redis error on /d/:token is logged without the token and answered with a plain 503 page', async () => {
    // A key of the wrong type makes GET fail with WRONGTYPE: a real Redis error quoting its command.
    await redis.hset(keys.downloadToken(TOKEN), 'field', 'value');
    const answer = await app.inject({ url: `/d/${TOKEN}` });
    const text = logged.join('');
    expect(text).toContain('WRONGTYPE');
    expect(text).not.toContain(TOKEN);

    // The customer gets a plain page saying to try later; nothing internal.
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.body).toContain('Temporarily unavailable');
    expect(answer.body).not.toMatch(/WRONGTYPE|dl:/);
  });
});

describe('5xx answers carry a generic message and the request id, never an internal text', () => {
  it.each([
    ['an unexpected error (500)', '/v1/restores?bucket=my-bucket&key=k', 500, 'internal_error'],
    ['a ThawError with a 5xx status', '/v1/restores/r_abcdefghijkl', 503, 's3_unavailable'],
  ])('%s', async (_name, url, status, code) => {
    const answer = await app.inject({ url, headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(answer.statusCode).toBe(status);
    const body = answer.json() as { error: { code: string; message: string } };
    expect(body).toEqual({ error: { code, message: expect.stringMatching(/\(request [\w-]+\)$/) } });
    expect(answer.body).not.toMatch(/10\.\d|payroll|ECONNREFUSED|SlowDown|\{thaw\}:obj/);
    // The details are in the log line carrying the same request id, so support can find them.
    const requestId = /\(request ([\w-]+)\)$/.exec(body.error.message)?.[1];
    const line = logged.map((raw) => JSON.parse(raw) as { reqId?: string; err?: unknown }).find((l) => l.err);
    expect(line?.reqId).toBe(requestId);
    expect(JSON.stringify(line)).toMatch(/payroll|ECONNREFUSED/);
  });
});
