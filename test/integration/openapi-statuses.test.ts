import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { HEAD, HeadObjectCommand, RestoreObjectCommand, mockS3, s3Error } from '../helpers/s3-mock';
import type { S3Mock } from '../helpers/s3-mock';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * Every answer a `/v1` route gives has its status, and the headers promised with it, in that
 * route's OpenAPI entry. Each operation is driven through the real composition root (S3 mocked)
 * with inputs that produce each of its answers — valid, bad body, odd id, no token, wrong content
 * type, too large, S3 failures, rate limited — and each answer is checked against /openapi.json.
 * Where another part of thaw decides the status (422, 502), only documentation is asserted.
 */

const prefix = uniquePrefix('openapi-statuses');
const TOKEN = 'test-token-0123456789abcdef';
const RATE_LIMIT = 300;
let thaw: TestThaw;
let redis: Redis;
let s3: S3Mock;
let spec: OpenApiDocument;

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
}
interface Operation {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The path as the document names it. */
  readonly path: string;
}

const CREATE: Operation = { method: 'POST', path: '/v1/restores' };
const LIST: Operation = { method: 'GET', path: '/v1/restores' };
const READ: Operation = { method: 'GET', path: '/v1/restores/{id}' };
const CANCEL: Operation = { method: 'DELETE', path: '/v1/restores/{id}' };
const OPERATIONS = [CREATE, LIST, READ, CANCEL];

/** What is wrong with an answer as the document describes the operation: nothing, or one line each. */
function undocumented(
  document: OpenApiDocument,
  operation: Operation,
  answer: { statusCode: number; headers: Record<string, unknown> },
): string[] {
  const name = `${operation.method} ${operation.path}`;
  const entry = document.paths[operation.path]?.[operation.method.toLowerCase()];
  if (!entry) return [`${name} is not in the document`];
  const response = entry.responses[String(answer.statusCode)];
  if (!response) {
    return [`${name} answered ${answer.statusCode}; documented: ${Object.keys(entry.responses).join(', ')}`];
  }
  return Object.keys(response.headers ?? {})
    .filter((header) => answer.headers[header.toLowerCase()] === undefined)
    .map((header) => `${name} answered ${answer.statusCode} without its documented ${header} header`);
}

/** Sends one request to an operation and checks the answer against the document. */
async function call(
  operation: Operation,
  request: Omit<InjectOptions, 'method'> & { url?: string } = {},
  authorized = true,
): Promise<LightMyRequestResponse> {
  const response = await thaw.app.inject({
    url: operation.path,
    ...request,
    method: operation.method,
    headers: { ...(authorized ? { authorization: `Bearer ${TOKEN}` } : {}), ...request.headers },
  });
  expect(undocumented(spec, operation, response)).toEqual([]);
  if (response.statusCode >= 400) {
    expect(response.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  }
  return response;
}

const codeOf = (response: LightMyRequestResponse): string =>
  (response.json() as { error: { code: string } }).error.code;

const recipient = { email: 'ada@example.com' };
const interest = (key: string, fields: Record<string, unknown> = {}) => ({
  bucket: 'archive-bucket',
  key,
  initiate: false,
  recipient,
  ...fields,
});
const restore = (key: string, fields: Record<string, unknown> = {}) =>
  interest(key, { initiate: true, ...fields });

beforeAll(async () => {
  s3 = mockS3();
  redis = testRedis();
  thaw = await startTestThaw(prefix, {
    THAW_ROLE: 'api',
    SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:000000000000:thaw-openapi-statuses',
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  });
  spec = (await thaw.app.inject({ url: '/openapi.json' })).json() as OpenApiDocument;
});
afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  s3.restore();
});
beforeEach(() => s3.reset());

describe('the check itself', () => {
  it('reports a status or a header the document lacks', () => {
    expect(undocumented(spec, READ, { statusCode: 418, headers: {} })).toEqual([
      expect.stringMatching(/^GET \/v1\/restores\/\{id\} answered 418; documented: 200, /),
    ]);
    expect(undocumented(spec, READ, { statusCode: 429, headers: {} })).toEqual([
      'GET /v1/restores/{id} answered 429 without its documented Retry-After header',
    ]);
    expect(
      undocumented(spec, { method: 'POST', path: '/v1/nothing' }, { statusCode: 200, headers: {} }),
    ).toEqual(['POST /v1/nothing is not in the document']);
  });
});

describe('answers that need no token', () => {
  it.each(OPERATIONS.map((operation) => [`${operation.method} ${operation.path}`, operation] as const))(
    '%s without a valid token: 401',
    async (_name, operation) => {
      const url = operation.path.replace('{id}', 'r_any');
      expect((await call(operation, { url }, false)).statusCode).toBe(401);
      const wrong = { authorization: 'Bearer not-the-token-0123456789' };
      expect((await call(operation, { url, headers: wrong }, false)).statusCode).toBe(401);
    },
  );
});

describe('POST /v1/restores', () => {
  it('201 for a new request, 200 for its repeat with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'statuses-1' };
    expect((await call(CREATE, { payload: interest('a.txt'), headers })).statusCode).toBe(201);
    expect((await call(CREATE, { payload: interest('a.txt'), headers })).statusCode).toBe(200);
    // The contract's 422 for a different body; whatever answers now must be documented.
    await call(CREATE, { payload: interest('b.txt'), headers });
  });

  it('accepts the largest body the schema allows (never 413)', async () => {
    const escaped = '\u0001'.repeat(1024); // six bytes each in JSON
    const objects = Array.from({ length: 1000 }, (_, index) => ({
      bucket: `b${String(index).padStart(3, '0')}${'x'.repeat(59)}`,
      key: escaped,
      versionId: escaped,
    }));
    const payload = JSON.stringify({ objects, recipient, initiate: false });
    expect(payload.length).toBeGreaterThan(12_000_000);
    const response = await call(CREATE, { payload, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(201);
  });

  it.each([
    ['a body that is not a restore request', { payload: { recipient } }, 'invalid_body'],
    ['a bad email', { payload: interest('c.txt', { recipient: { email: 'nope' } }) }, 'invalid_body'],
    [
      'JSON that does not parse',
      { payload: '{', headers: { 'content-type': 'application/json' } },
      'invalid_body',
    ],
    ['an empty JSON body', { payload: '', headers: { 'content-type': 'application/json' } }, 'invalid_body'],
    [
      'an over-long Idempotency-Key',
      { payload: interest('d.txt'), headers: { 'idempotency-key': 'k'.repeat(201) } },
      'invalid_header',
    ],
  ])('400 for %s', async (_name, request, code) => {
    const response = await call(CREATE, request);
    expect([response.statusCode, codeOf(response)]).toEqual([400, code]);
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    '415 for a %s body',
    async (type) => {
      const response = await call(CREATE, { payload: 'bucket=a', headers: { 'content-type': type } });
      expect([response.statusCode, codeOf(response)]).toEqual([415, 'unsupported_media_type']);
    },
  );

  it('413 for a body over 16 MiB', async () => {
    const payload = `{"pad":"${'x'.repeat(16 * 1024 * 1024)}"}`;
    const response = await call(CREATE, { payload, headers: { 'content-type': 'application/json' } });
    expect([response.statusCode, codeOf(response)]).toEqual([413, 'body_too_large']);
  });

  it.each([
    ['an unknown object', () => new NoSuchKey({ message: 'no', $metadata: { httpStatusCode: 404 } }), 404],
    ['a forbidden object', () => s3Error('AccessDenied', 403), 403],
    ['S3 slowing down', () => s3Error('SlowDown', 503), 503],
  ])('the S3 status for %s', async (_name, error, status) => {
    s3.on(HeadObjectCommand).rejects(error());
    expect((await call(CREATE, { payload: restore(`s3/${status}.bin`) })).statusCode).toBe(status);
  });

  it('503 when Expedited retrieval has no capacity and no fallback is allowed', async () => {
    s3.on(HeadObjectCommand)
      .resolves(HEAD.glacier)
      .on(RestoreObjectCommand)
      .rejects(s3Error('GlacierExpeditedRetrievalNotAvailable', 503));
    const response = await call(CREATE, { payload: restore('s3/expedited.bin', { tier: 'Expedited' }) });
    expect([response.statusCode, codeOf(response)]).toEqual([503, 'glacier_expedited_unavailable']);
  });

  it.each(['MalformedXML', 'InvalidArgument'])(
    "a documented status when S3 refuses thaw's own request (%s)",
    async (code) => {
      s3.on(HeadObjectCommand).resolves(HEAD.glacier).on(RestoreObjectCommand).rejects(s3Error(code, 400));
      const response = await call(CREATE, { payload: restore(`s3/${code}.bin`) });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
    },
  );
});

describe('GET /v1/restores', () => {
  it('200 for an object, with or without requests', async () => {
    const url = '/v1/restores?bucket=archive-bucket&key=a.txt';
    expect((await call(LIST, { url })).statusCode).toBe(200);
    expect((await call(LIST, { url: `${url}&versionId=nothing` })).statusCode).toBe(200);
  });

  it.each([
    ['no key', '?bucket=archive-bucket'],
    ['no query at all', ''],
    ['a bucket name S3 does not allow', '?bucket=Archive&key=a.txt'],
    ['an empty key', '?bucket=archive-bucket&key='],
  ])('400 invalid_query for %s', async (_name, query) => {
    const response = await call(LIST, { url: `/v1/restores${query}` });
    expect([response.statusCode, codeOf(response)]).toEqual([400, 'invalid_query']);
  });
});

describe('GET and DELETE /v1/restores/{id}', () => {
  let id: string;
  beforeAll(async () => {
    id = (await call(CREATE, { payload: interest('read.txt') })).json<{ id: string }>().id;
  });

  it('200 for a request, then 200 again once cancelled', async () => {
    expect((await call(READ, { url: `/v1/restores/${id}` })).statusCode).toBe(200);
    expect((await call(CANCEL, { url: `/v1/restores/${id}` })).statusCode).toBe(200);
    expect((await call(READ, { url: `/v1/restores/${id}` })).statusCode).toBe(200);
  });

  it.each([
    ['an unknown id', () => 'r_unknown'],
    ['an empty id', () => ''],
    ['a long id', () => 'r'.repeat(65)],
    ['an id past the router limit', () => 'r'.repeat(3000)],
    ['malformed percent-encoding', () => '%ZZ'],
    ['an encoded slash, query and spaces', () => encodeURIComponent('a/b?c#d e%')],
    ["another of a request's Redis keys", () => `${id}:spec`],
  ])('404 for %s, whatever the method', async (_name, odd) => {
    for (const operation of [READ, CANCEL]) {
      const response = await call(operation, { url: `/v1/restores/${odd()}` });
      expect([operation.method, response.statusCode, codeOf(response)]).toEqual([
        operation.method,
        404,
        'not_found',
      ]);
    }
  });

  it.each([
    ['415 for a body that is not JSON', 'text/plain', 'x', 415],
    ['400 for a JSON body that does not parse', 'application/json', '{', 400],
    ['413 for a body over 1 MiB', 'application/json', `"${'x'.repeat(1024 * 1024)}"`, 413],
  ])('DELETE: %s', async (_name, type, payload, status) => {
    const response = await call(CANCEL, {
      url: '/v1/restores/r_unknown',
      payload,
      headers: { 'content-type': type },
    });
    expect(response.statusCode).toBe(status);
  });
});

// Last: it spends the rate limit of the whole file.
describe('past RATE_LIMIT_PER_MINUTE', () => {
  it('429 with Retry-After on every operation', async () => {
    let limited = false;
    for (let sent = 0; sent <= RATE_LIMIT && !limited; sent += 1) {
      limited = (await call(READ, { url: '/v1/restores/r_unknown' })).statusCode === 429;
    }
    expect(limited).toBe(true);
    for (const operation of OPERATIONS) {
      const response = await call(operation, {
        url: operation.path.replace('{id}', 'r_unknown'),
        ...(operation === CREATE ? { payload: interest('late.txt') } : {}),
      });
      expect([operation.method, operation.path, response.statusCode]).toEqual([
        operation.method,
        operation.path,
        429,
      ]);
    }
  });
});
